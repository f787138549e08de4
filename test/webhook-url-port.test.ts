// MT_WEBHOOK_URL on a port fetch refuses to connect to (the fetch standard's "bad ports": 6000, 6665-6669, 10080,
// ...) failed every delivery with "bad port" and gave up hours later. The start refuses it instead (exit 2),
// saying why and what to do.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { runConfig } from "../src/config/run.js";
import { UsageError } from "../src/lib/errors.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db", MT_WEBHOOK_SECRET: "0123456789abcdef" };

describe("MT_WEBHOOK_URL's port", () => {
  it.each(["6000", "6665", "6669", "10080", "25"])("%s, which fetch refuses, is refused at start, saying to choose another", (port) => {
    const url = `https://hooks.example:${port}/mt?token=tok-123`;
    expect(() => runConfig({ ...env, MT_WEBHOOK_URL: url })).toThrow(UsageError);
    expect(() => runConfig({ ...env, MT_WEBHOOK_URL: url })).toThrow(
      `MT_WEBHOOK_URL: MT_WEBHOOK_URL's port ${port} is one that browsers and fetch refuse to connect to (the fetch standard's "bad ports"), so every delivery would fail: give the receiver another port`,
    );
  });

  it.each(["https://hooks.example:8443/mt", "http://hooks.example:6670/mt", "https://hooks.example/mt"])("%s is taken", (url) => {
    expect(runConfig({ ...env, MT_WEBHOOK_URL: url }).webhookUrl).toBe(url);
  });

  it("moneytrail run exits 2 on it before connecting to anything", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [...CLI, "run"], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, ...env, MT_WEBHOOK_URL: "https://hooks.example:6666/mt" },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: configuration is not valid:\n {2}MT_WEBHOOK_URL: MT_WEBHOOK_URL's port 6666 is one that browsers and fetch refuse to connect to/);
  });
});
