// A DATABASE_URL that pg cannot read (a password with @, #, / or ? left as it is, a port past 65535) is refused as a
// setting, in one line that says how to write it and does not repeat the value (it holds the password); it was an
// "Invalid URL" TypeError with its stack trace, exit code 1, once the start reached PostgreSQL.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { runConfig } from "../src/config/run.js";
import { CLI } from "./helpers/cli.js";

const env = { KAFKA_BROKERS: "127.0.0.1:9092" };
const LINE = /^configuration is not valid:\n {2}DATABASE_URL: DATABASE_URL is not a valid URL: percent-encode special characters in the user name and password \(@ as %40, # as %23, \/ as %2F, \? as %3F, : as %3A\) and give the port as a number up to 65535$/;

describe("run configuration: DATABASE_URL", () => {
  it("refuses a URL pg cannot read, without repeating it", () => {
    for (const url of ["postgres://mt:pa#ss@db.example:5432/mt", "postgres://mt:se/cret@db.example/mt", "postgresql://mt:s3cret@db.example:99999/mt"]) {
      let message = "";
      try {
        runConfig({ ...env, DATABASE_URL: url });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, url).toMatch(LINE);
    }
  });

  it("takes encoded passwords and a URL without a host (a socket given by ?host=)", () => {
    for (const url of ["postgres://mt:pa%23ss%2F%40@db.example:5432/mt", "postgres://mt@/mt?host=/run/postgresql", "postgres://mt@127.0.0.1/mt"]) expect(runConfig({ ...env, DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it("stops `moneytrail run` with exit code 2 and no stack trace", { timeout: 60_000 }, () => {
    const { DATABASE_URL: _d, ...rest } = process.env;
    const r = spawnSync(process.execPath, [...CLI, "run"], {
      env: { ...rest, ...env, DATABASE_URL: "postgres://mt:s3cret#1@127.0.0.1:5432/mt" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: configuration is not valid:\n {2}DATABASE_URL \(--database-url\): DATABASE_URL is not a valid URL/);
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("stops the operator's database commands (db migrate) the same way", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", "postgres://owner:s3cret/1@127.0.0.1/mt"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: DATABASE_URL is not a valid URL: percent-encode/);
    expect(r.stderr).not.toContain("s3cret");
  });
});
