// `moneytrail run` says which MT_ variables it does not read: a misspelt setting (MT_COMMIT_EVRY, MT_WEBHOOK_URI)
// left its default in force without a word, so a webhook or a limit the operator set was silently not there.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { unknownVariables } from "../src/config/run.js";
import { CLI } from "./helpers/cli.js";

describe("moneytrail run: MT_ variables it does not read", () => {
  it("lists them, not the settings nor the test harness's", () => {
    expect(unknownVariables({ MT_WEBHOOK_URI: "https://hooks.example/", MT_WEBHOOK_URL: "https://hooks.example/", MT_COMMIT_EVRY: "10", MT_TEST_VERBOSE: "1", KAFKA_BROKERS: "x", PATH: "/bin" })).toEqual([
      "MT_COMMIT_EVRY",
      "MT_WEBHOOK_URI",
    ]);
  });

  it("logs a warning naming them at start", { timeout: 60_000 }, () => {
    // port 1: nothing listens there, so the start ends after the warning
    const r = spawnSync(process.execPath, [...CLI, "run"], {
      env: { ...process.env, KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:1/db", LOG_LEVEL: "info", MT_WEBHOOK_URI: "https://hooks.example/" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const warning = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string; unknown?: string[] })
      .find((l) => l.unknown);
    expect(warning).toMatchObject({ level: 40, unknown: ["MT_WEBHOOK_URI"] });
    expect(warning!.msg).toMatch(/do(es)? not read, ignored: check their spelling/);
  });
});
