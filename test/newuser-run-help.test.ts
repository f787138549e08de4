// `moneytrail run --help` listed its eleven flags and nothing else, so a new user reading it took them for all the
// settings: the trust store, the indicator topic, the log level, the commit and checkpoint settings and the rest are
// read from the environment only, and the help did not say so or where they are described.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

describe("moneytrail run --help", () => {
  it("says that more settings are environment variables, and where they are listed", () => {
    const r = spawnSync(process.execPath, [...CLI, "run", "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MT_TRUST_STORE/);
    expect(r.stdout).toMatch(/environment/);
    expect(r.stdout).toMatch(/README/);
    expect(r.stdout).toMatch(/Running against a broker/);
  });
});
