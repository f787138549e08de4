// A PostgreSQL that answers but refuses the connection (no such database, no such role) is a DATABASE_URL to correct,
// not a server to wait for: it was "cannot reach PostgreSQL … is it running and does the database exist?", exit 1,
// also for a user name that is wrong. The operator is now told what was refused and what to correct, exit 2.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { databaseUrl } from "./harness.js";
import { CLI } from "../helpers/cli.js";

function cli(args: string[], url: string) {
  return spawnSync(process.execPath, [...CLI, ...args], {
    // a broker nobody answers at: run checks PostgreSQL first
    env: { ...process.env, DATABASE_URL: url, KAFKA_BROKERS: "127.0.0.1:1", MT_HTTP_PORT: "0", MT_METRICS_PORT: "0" },
    encoding: "utf8",
    timeout: 60_000,
  });
}

function withUrl(change: (u: URL) => void): string {
  const u = new URL(databaseUrl());
  change(u);
  return u.toString();
}

describe("PostgreSQL refusing the connection", () => {
  it("names the database or the user refused and says what to correct, exit 2", { timeout: 60_000 }, () => {
    const noDb = cli(["users", "add", "someone", "--role", "reviewer"], withUrl((u) => (u.pathname = "/mt_no_such_database")));
    expect(noDb.status, noDb.stderr).toBe(2);
    expect(noDb.stderr).toMatch(/^error: PostgreSQL at [^ ]+ refused the connection: database "mt_no_such_database" does not exist: create the database \(CREATE DATABASE\) or correct its name in DATABASE_URL\n$/);

    const noRole = cli(["run"], withUrl((u) => (u.username = "mt_no_such_role")));
    expect(noRole.status, noRole.stderr).toBe(2);
    expect(noRole.stderr).toMatch(/^error: PostgreSQL at DATABASE_URL refused the connection: [^\n]*"mt_no_such_role"[^\n]*: correct the user name in DATABASE_URL, or create the role and let it in from this host \(pg_hba\.conf\)\n$/);
  });
});
