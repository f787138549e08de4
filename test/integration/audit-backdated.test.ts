// The service's own role (db migrate --service-role) can neither change nor remove a row of the audit trail, but it
// could add one dated as it liked: INSERT INTO mt_audit (at, ...) VALUES ('2026-01-01', ...) put an action into a quiet
// hour of the past, read by an auditor as done then. A row's time is now the database's for any role but the tables'
// owner (who can switch any trigger off, and whom tests and hand repairs act as).
import { beforeAll, describe, expect, it } from "vitest";
import { grantServiceRole, migrate } from "../../src/sinks/postgres/migrations.js";
import { onClient, serviceRoleSchema } from "./harness.js";

const db = serviceRoleSchema("audit-at");

beforeAll(async () => {
  await onClient(db.ownerUrl, async (c) => {
    await migrate(c);
    await grantServiceRole(c, db.role);
  });
});

describe("an audit row added by the service's role", () => {
  it("is dated by the database, whatever time the statement gives", async () => {
    const at = await onClient(db.serviceUrl, async (c) => {
      const r = await c.query<{ at: Date; now: Date }>(
        "INSERT INTO mt_audit (at, actor, role, action) VALUES ('2026-01-01T03:00:00Z', 'rev', 'reviewer', 'case-view') RETURNING at, now() AS now",
      );
      return r.rows[0]!;
    });
    expect(Math.abs(at.at.getTime() - at.now.getTime())).toBeLessThan(60_000);
    // the owner's rows are as written (tests and repairs date them)
    const owner = await onClient(db.ownerUrl, (c) => c.query<{ at: Date }>("INSERT INTO mt_audit (at, actor, role, action) VALUES ('2026-01-01T03:00:00Z', 'x', 'admin', 'test') RETURNING at"));
    expect(owner.rows[0]!.at.toISOString()).toBe("2026-01-01T03:00:00.000Z");
  });
});
