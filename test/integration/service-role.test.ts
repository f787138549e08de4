// The service run as a role that does not own its tables (`moneytrail db migrate --service-role`): it works as the owner would, and it
// can neither switch off the audit trail's append-only trigger nor change or remove a row of it.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import pg from "pg";
import { spawnSync } from "node:child_process";
import { migrate, MIGRATIONS } from "../../src/sinks/postgres/migrations.js";
import { writeAudit } from "../../src/cases/store.js";
import { createLogger } from "../../src/lib/log.js";
import { casesAndAlerts, createTopics, databaseUrl, freshNames, freshSchema, produce, replayAlerts, sampleLines, startRunner, waitCaughtUp } from "./harness.js";
import { CLI } from "../helpers/cli.js";

const n = freshNames("svc-role");
const role = `mt_service_${n.id.replace(/[^a-z0-9]/g, "_")}`;
let ownerUrl: string;
let serviceUrl: string;

async function on<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await on(databaseUrl(), (c) => c.query(`CREATE ROLE ${role} LOGIN`));
  ownerUrl = await freshSchema(n);
  // as an operator would: the command, with the owner's URL
  const { DATABASE_URL: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", ownerUrl, "--service-role", role], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^migrated to version (\\d+) \\(\\1 applied\\); ${role} may run the service`));
  // again: nothing left to apply, said as such (it said "migrated to version N" whatever it did)
  const again = spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", ownerUrl, "--service-role", role], { env, encoding: "utf8", timeout: 120_000 });
  expect(again.stdout).toMatch(new RegExp(`^nothing to migrate: the database is at version \\d+, this release's last; ${role} may run the service`));
  const u = new URL(ownerUrl);
  u.username = role;
  u.password = "";
  serviceUrl = u.toString();
}, 120_000);

afterAll(async () => {
  await on(databaseUrl(), async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${n.id.replace(/[^a-z0-9]/g, "_")} CASCADE`);
    await c.query(`DROP OWNED BY ${role}`);
    await c.query(`DROP ROLE ${role}`);
  });
});

describe("the service's own database role", () => {
  it("runs the consumer end to end: the alerts and cases replay gives", async () => {
    await createTopics(n, 2);
    const expected = await replayAlerts();
    const warnings: string[] = [];
    const runner = await startRunner(n, serviceUrl, {}, createLogger("warn", { write: (line: string) => void warnings.push(line) }));
    try {
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, serviceUrl);
    } finally {
      await runner.stop();
    }
    const { alerts } = await casesAndAlerts(serviceUrl);
    expect(alerts.map((a) => a.alertId).sort()).toEqual(expected.map((a) => a.alertId).sort());
    // as the owner or a superuser it would have been warned that the audit trail is unprotected
    expect(warnings.join("")).not.toContain("audit trail");
  });

  it("appends to the audit trail and reads it, but cannot change, remove or unprotect it", async () => {
    await on(serviceUrl, async (c) => {
      await writeAudit(c, { username: "rev", role: "reviewer" }, "comment", { target: "case 1" });
      expect(Number((await c.query("SELECT count(*) AS n FROM mt_audit")).rows[0].n)).toBeGreaterThan(0);
      for (const sql of ["UPDATE mt_audit SET actor = 'someone-else'", "DELETE FROM mt_audit", "TRUNCATE mt_audit", "ALTER TABLE mt_audit DISABLE TRIGGER USER"])
        await expect(c.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
      // nor mark a migration applied that was not
      await expect(c.query("DELETE FROM mt_schema_migrations")).rejects.toThrow(/permission denied/);
    });
  });

  it("starts when no migration is pending, and says what to do when one is", async () => {
    await on(serviceUrl, async (c) => expect(await migrate(c)).toBe(0));
    // as if the owner had not yet applied the latest migration: one more, the owner's to apply
    const pending = { version: MIGRATIONS[MIGRATIONS.length - 1]!.version + 1, name: "a pending one", sql: "CREATE TABLE mt_test_pending (x int)" };
    MIGRATIONS.push(pending);
    onTestFinished(() => void MIGRATIONS.pop());
    await on(serviceUrl, async (c) =>
      expect(migrate(c)).rejects.toThrow(new RegExp(`needs migration ${pending.version} .*may not apply .*moneytrail db migrate`)),
    );
    await on(ownerUrl, async (c) => expect(await migrate(c)).toBe(1));
  });
});
