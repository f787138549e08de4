// The service run as a role that does not own its tables (`moneytrail db migrate --service-role`): it works as the owner would, and it
// can neither switch off the audit trail's append-only trigger nor change or remove a row of it.
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { spawnSync } from "node:child_process";
import { migrate, MIGRATIONS } from "../../src/sinks/postgres/migrations.js";
import { writeAudit } from "../../src/cases/store.js";
import { createLogger } from "../../src/lib/log.js";
import { casesAndAlerts, createTopics, onClient, produce, replayAlerts, sampleLines, serviceRoleSchema, startRunner, waitCaughtUp } from "./harness.js";
import { CLI } from "../helpers/cli.js";

const db = serviceRoleSchema("svc-role");
const { n, role } = db;

beforeAll(async () => {
  // as an operator would: the command, with the owner's URL
  const { DATABASE_URL: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", db.ownerUrl, "--service-role", role], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^migrated to version (\\d+) \\(\\1 applied\\); ${role} may run the service`));
  // again: nothing left to apply, said as such (it said "migrated to version N" whatever it did)
  const again = spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", db.ownerUrl, "--service-role", role], { env, encoding: "utf8", timeout: 120_000 });
  expect(again.stdout).toMatch(new RegExp(`^nothing to migrate: the database is at version \\d+, this release's last; ${role} may run the service`));
}, 120_000);

describe("the service's own database role", () => {
  it("runs the consumer end to end: the alerts and cases replay gives", async () => {
    await createTopics(n, 2);
    const expected = await replayAlerts();
    const warnings: string[] = [];
    const runner = await startRunner(n, db.serviceUrl, {}, createLogger("warn", { write: (line: string) => void warnings.push(line) }));
    try {
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, db.serviceUrl);
    } finally {
      await runner.stop();
    }
    const { alerts } = await casesAndAlerts(db.serviceUrl);
    expect(alerts.map((a) => a.alertId).sort()).toEqual(expected.map((a) => a.alertId).sort());
    // as the owner or a superuser it would have been warned that the audit trail is unprotected
    expect(warnings.join("")).not.toContain("audit trail");
  });

  it("appends to the audit trail and reads it, but cannot change, remove or unprotect it", async () => {
    await onClient(db.serviceUrl, async (c) => {
      await writeAudit(c, { username: "rev", role: "reviewer" }, "comment", { target: "case 1" });
      expect(Number((await c.query("SELECT count(*) AS n FROM mt_audit")).rows[0].n)).toBeGreaterThan(0);
      for (const sql of ["UPDATE mt_audit SET actor = 'someone-else'", "DELETE FROM mt_audit", "TRUNCATE mt_audit", "ALTER TABLE mt_audit DISABLE TRIGGER USER"])
        await expect(c.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
      // nor mark a migration applied that was not
      await expect(c.query("DELETE FROM mt_schema_migrations")).rejects.toThrow(/permission denied/);
    });
  });

  it("starts when no migration is pending, and says what to do when one is", async () => {
    await onClient(db.serviceUrl, async (c) => expect(await migrate(c)).toBe(0));
    // as if the owner had not yet applied the latest migration: one more, the owner's to apply
    const pending = { version: MIGRATIONS[MIGRATIONS.length - 1]!.version + 1, name: "a pending one", sql: "CREATE TABLE mt_test_pending (x int)" };
    MIGRATIONS.push(pending);
    onTestFinished(() => void MIGRATIONS.pop());
    await onClient(db.serviceUrl, async (c) =>
      expect(migrate(c)).rejects.toThrow(new RegExp(`needs migration ${pending.version} .*may not apply .*moneytrail db migrate`)),
    );
    await onClient(db.ownerUrl, async (c) => expect(await migrate(c)).toBe(1));
  });
});
