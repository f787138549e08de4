// A first start as the service's own database role, before the tables' owner has done its part (README "The
// database role"): on a database with no tables that the role may not create them in (PostgreSQL 15's public schema
// gives no CREATE), or with tables migrated without --service-role, `moneytrail run` and `db migrate` ended with
// PostgreSQL's "permission denied" and a stack trace (exit 1, as if it had crashed), naming nothing to do.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { onClient, serviceRoleSchema } from "./harness.js";
import { CLI } from "../helpers/cli.js";

const db = serviceRoleSchema("svc-first-start");
const schemaOf = (url: string) => new URL(url).searchParams.get("options")!.replace("-c search_path=", "");

function cli(url: string, ...args: string[]) {
  const { DATABASE_URL: _, KAFKA_BROKERS: __, ...env } = process.env;
  // no broker here: a start that gets past the database says so, and no further
  return spawnSync(process.execPath, [...CLI, ...args], {
    env: { ...env, DATABASE_URL: url, KAFKA_BROKERS: "127.0.0.1:1", MT_KAFKA_START_WAIT_MS: "0", MT_METRICS_PORT: "0", MT_HTTP_PORT: "0", MT_WARM_UP_EVENTS: "0" },
    encoding: "utf8",
    timeout: 60_000,
  });
}

/** refused in one line that says what to run, exit code 2, no stack trace */
function expectTold(r: ReturnType<typeof cli>, told: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(told);
  expect(r.stderr).toMatch(new RegExp(`moneytrail db migrate --service-role ${db.role}\` with the tables' owner's DATABASE_URL`));
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
}

describe("a first start as the service role, before the owner has migrated for it", { timeout: 120_000 }, () => {
  it("says what the owner is to run, until it has run it", async () => {
    const schema = schemaOf(db.ownerUrl);
    // no tables, and a schema the role may not even look into
    expectTold(cli(db.serviceUrl, "run"), new RegExp(`^error: this role \\(${db.role}\\) finds no moneytrail tables and may not create them \\(`));
    // no tables, a schema it may use but not create in: PostgreSQL 15's public schema
    await onClient(db.ownerUrl, (c) => c.query(`GRANT USAGE ON SCHEMA ${schema} TO ${db.role}`));
    const usage = cli(db.serviceUrl, "run");
    expectTold(usage, new RegExp(`^error: this role \\(${db.role}\\) finds no moneytrail tables and may not create them \\(permission denied for schema ${schema}\\)`));
    expectTold(cli(db.serviceUrl, "db", "migrate"), /finds no moneytrail tables and may not create them/);
    // the owner migrated, but without --service-role
    const owner = cli(db.ownerUrl, "db", "migrate");
    expect(owner.status, owner.stderr).toBe(0);
    expectTold(cli(db.serviceUrl, "run"), new RegExp(`^error: this role \\(${db.role}\\) may not use moneytrail's tables \\(permission denied for table mt_schema_migrations\\)`));
    // as told: the start gets past the database, to the broker it is given
    const granted = cli(db.ownerUrl, "db", "migrate", "--service-role", db.role);
    expect(granted.status, granted.stderr).toBe(0);
    const started = cli(db.serviceUrl, "run");
    expect(started.stderr).toMatch(/^error: cannot reach Kafka at KAFKA_BROKERS 127\.0\.0\.1:1/m);
    expect(started.status).toBe(1);
  });
});
