// The service's own role (db migrate --service-role) can neither change nor remove a row of the audit trail, but it
// could add one dated as it liked: INSERT INTO mt_audit (at, ...) VALUES ('2026-01-01', ...) put an action into a quiet
// hour of the past, read by an auditor as done then. A row's time is now the database's for any role but the tables'
// owner (who can switch any trigger off, and whom tests and hand repairs act as).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { grantServiceRole, migrate } from "../../src/sinks/postgres/migrations.js";
import { databaseUrl, freshNames, freshSchema } from "./harness.js";

const n = freshNames("audit-at");
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
  await on(ownerUrl, async (c) => {
    await migrate(c);
    await grantServiceRole(c, role);
  });
  const u = new URL(ownerUrl);
  u.username = role;
  u.password = "";
  serviceUrl = u.toString();
});

afterAll(async () => {
  await on(databaseUrl(), async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${n.id.replace(/[^a-z0-9]/g, "_")} CASCADE`);
    await c.query(`DROP OWNED BY ${role}`);
    await c.query(`DROP ROLE ${role}`);
  });
});

describe("an audit row added by the service's role", () => {
  it("is dated by the database, whatever time the statement gives", async () => {
    const at = await on(serviceUrl, async (c) => {
      const r = await c.query<{ at: Date; now: Date }>(
        "INSERT INTO mt_audit (at, actor, role, action) VALUES ('2026-01-01T03:00:00Z', 'rev', 'reviewer', 'case-view') RETURNING at, now() AS now",
      );
      return r.rows[0]!;
    });
    expect(Math.abs(at.at.getTime() - at.now.getTime())).toBeLessThan(60_000);
    // the owner's rows are as written (tests and repairs date them)
    const owner = await on(ownerUrl, (c) => c.query<{ at: Date }>("INSERT INTO mt_audit (at, actor, role, action) VALUES ('2026-01-01T03:00:00Z', 'x', 'admin', 'test') RETURNING at"));
    expect(owner.rows[0]!.at.toISOString()).toBe("2026-01-01T03:00:00.000Z");
  });
});
