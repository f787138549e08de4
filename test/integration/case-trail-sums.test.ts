// The case page says who opened, exported and revealed a case, how often and when last, and the queue when a
// reviewer last looked. Counted from the audit rows, each read of the case read every one of them (100,000 openings:
// 50-60 ms a count, and growing). A sum per case, user and action (mt_case_trail_sums, migration 28) is kept by the
// insert of each row, in its transaction; the trail stays append-only and the truth. Here, on the real PostgreSQL:
// the sums equal a count of the rows after many concurrent openings, exports and reveals; a database of an earlier
// release gets its sums made from its rows on upgrade; and a reviewer's download of the case's trail (CSV, JSON)
// gives every row past the 10,000 it was cut at.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { serverDb, type Db, type Queryable } from "../../src/cases/db.js";
import { MIGRATIONS, grantServiceRole, migrate } from "../../src/sinks/postgres/migrations.js";
import { AUDIT_MAX_ROWS, CaseStore, LISTED, evidenceUrls, urlHash, writeAudit, type Actor } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { caseAlert, linkedToFlaggedAlert, recordCase } from "../helpers/cases.js";
import { bearer } from "../helpers/web.js";
import { freshNames, freshSchema, onClient, serverSchema, serviceRoleSchema } from "./harness.js";

/** The trail's rows with a case, counted as the sums count them: what the sums must equal. */
async function scanned(db: Pick<Db, "query">): Promise<unknown[]> {
  const r = await db.query(
    `SELECT case_id::text, actor, action, count(*)::int AS times, min(audit_id)::text AS first_id, max(at) AS last_at
     FROM mt_audit WHERE case_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return r.rows;
}
async function summed(db: Pick<Db, "query">): Promise<unknown[]> {
  const r = await db.query("SELECT case_id::text, actor, action, times::int, first_id::text, last_at FROM mt_case_trail_sums ORDER BY 1, 2, 3");
  return r.rows;
}

const reviewer = (username: string): Actor => ({ username, role: "reviewer", credential: "session" });

describe("a case's trail summed per user and action", { timeout: 120_000 }, () => {
  const schema = serverSchema("case-trail-sums");
  const upgraded = serviceRoleSchema("case-trail-sums-upgrade");

  it("equals a count of the rows after many concurrent openings, exports and reveals", async () => {
    // connections enough for the openings to run side by side
    const db = await serverDb(await freshSchema(freshNames("case-trail-sums-concurrent")), 12);
    try {
      const store = new CaseStore(db, ["reviewer"]);
      const a = await recordCase(db, linkedToFlaggedAlert("trail-sums-1", "https://flagged.example/page"));
      const b = await recordCase(db, caseAlert({ alertId: "trail-sums-2", merchantId: "M-SUMS-2" }));
      const hash = urlHash(evidenceUrls((await store.get(a)).context)[0]!);
      const users = ["ann", "bob", "cat", "dan"];
      // 400 openings of two cases by four users, with exports and reveals among them, 40 at once on 12 connections
      // (more would wait past the pool's connect timeout on a loaded machine)
      const one = (i: number) => {
        const who = reviewer(users[i % 4]!);
        const id = i % 3 === 0 ? b : a;
        if (i % 25 === 0) return store.exportCase(id, who);
        if (i % 25 === 1) return store.printCase(id, who);
        if (i % 25 === 2) return store.revealUrl(a, who, { hash });
        return store.open(id, who, i % 2 ? "page" : "api");
      };
      for (let wave = 0; wave < 10; wave++) await Promise.all(Array.from({ length: 40 }, (_, i) => one(wave * 40 + i)));
      const rows = await scanned(db);
      expect(rows.length).toBeGreaterThan(10);
      expect(await summed(db)).toEqual(rows);
      // what the case's page reads from them: ann's openings of a, as many as her rows
      const annRows = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit WHERE case_id = $1::bigint AND actor = 'ann' AND action = 'case-view'", [a])).rows[0]!.n;
      const d = await store.get(a);
      expect(d.openings.find((o) => o.actor === "ann")!.times).toBe(annRows);
      expect(d.reveals.map((r) => r.times).reduce((x, y) => x + y)).toBe(16);
      expect(d.exports.map((r) => r.times).reduce((x, y) => x + y)).toBe(
        (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit WHERE case_id = $1::bigint AND action = 'export'", [a])).rows[0]!.n,
      );
    } finally {
      await db.close();
    }
  });

  it("of a database from before them are made from its rows on upgrade, and kept after, by the service's own role too", async () => {
    const client = new pg.Client({ connectionString: upgraded.ownerUrl });
    await client.connect();
    const c = client as unknown as Queryable;
    try {
      // the release before: migrations up to 27
      await c.query("CREATE TABLE mt_schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      for (const m of MIGRATIONS.filter((m) => m.version < 28)) {
        await c.query(m.sql);
        await c.query("INSERT INTO mt_schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      }
      // run by a role of its own, set up before the sums' table was made
      await grantServiceRole(c, upgraded.role);
      // its trail: two cases' openings, exports, reveals and decisions over a year, some rows of no case
      await c.query(
        `INSERT INTO mt_audit (actor, role, action, case_id, target, at)
         SELECT 'user' || (g % 7), 'reviewer', (ARRAY['case-view', 'case-view', 'case-view', 'export', 'reveal-url', 'assign', 'comment', 'audit-export'])[1 + g % 8],
                CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 2 END, 'M-1', timestamptz '2025-12-01T00:00:00Z' + interval '1 minute' * ((g * 7919) % 500000)
         FROM generate_series(1, 5000) g`,
      );
      const before = await scanned(c);
      expect(before.length).toBeGreaterThan(20);
      // 28 and every later one
      expect(await migrate(client)).toBe(MIGRATIONS.filter((m) => m.version >= 28).length);
      expect(await summed(c)).toEqual(before);
      // and kept by the rows added after
      await writeAudit(c, reviewer("user1"), "case-view", { caseId: "1", target: "M-1" });
      await writeAudit(c, reviewer("newcomer"), "reveal-url", { caseId: "2", target: "sha256:00" });
      await writeAudit(c, reviewer("user1"), "login");
      await onClient(upgraded.serviceUrl, async (svc) => {
        await writeAudit(svc, reviewer("user2"), "case-view", { caseId: "2", target: "M-1" });
        await writeAudit(svc, reviewer("newcomer"), "export", { caseId: "1", target: "M-1" });
      });
      expect(await summed(c)).toEqual(await scanned(c));
      expect(await summed(c)).toContainEqual(expect.objectContaining({ case_id: "1", actor: "newcomer", action: "export", times: 1 }));
    } finally {
      await client.end();
    }
  });

  it("leave every row in a reviewer's download of the case's trail, past the 10,000 it was cut at", async () => {
    const db = schema.db();
    const app = await buildWebServer({ log: createLogger("silent" as "fatal"), db });
    try {
      const rev = await bearer(new Auth(db), "rev");
      const id = await recordCase(db, caseAlert({ alertId: "trail-sums-csv", merchantId: "M-SUMS-CSV" }));
      const n = AUDIT_MAX_ROWS + 2_500;
      await db.query(
        `INSERT INTO mt_audit (actor, role, action, case_id, target, detail)
         SELECT 'rev', 'reviewer', CASE WHEN g % 100 = 0 THEN 'export' ELSE 'case-view' END, $1::bigint, 'M-SUMS-CSV', jsonb_build_object('via', 'api', 'n', g) FROM generate_series(1, $2) g`,
        [id, n],
      );
      // an auditor's read of the case's trail: not the reviewer's to see, in the file or its count
      await writeAudit(db, { username: "audra", role: "auditor" }, "audit-export", { caseId: id, detail: { form: "page" } });
      const ids = (await db.query<{ id: string }>("SELECT audit_id::text AS id FROM mt_audit WHERE case_id = $1::bigint AND action <> 'audit-export' ORDER BY audit_id", [id])).rows.map((r) => r.id);
      expect(ids.length).toBe(n);

      const csv = await app.inject({ method: "GET", url: `/cases/${id}/audit.csv`, headers: rev });
      expect(csv.statusCode).toBe(200);
      const lines = csv.body.trimEnd().split("\n");
      expect(lines[0]).toBe("audit_id,at,actor,role,action,case_id,target,before,after,detail,credential");
      expect(lines.slice(1).map((l) => JSON.parse(l.split(",")[0]!))).toEqual(ids);
      expect(csv.body).not.toContain("audra");
      // the download is in the trail with how many rows it gave, and through which
      const read = (await db.query<{ detail: { form: string; rows: number; through: string } }>("SELECT detail FROM mt_audit WHERE actor = 'rev' AND action = 'audit-export' ORDER BY audit_id DESC LIMIT 1")).rows[0]!;
      expect(read.detail).toEqual({ form: "csv", rows: n, through: ids.at(-1) });

      const json = await app.inject({ method: "GET", url: `/api/cases/${id}/audit`, headers: rev });
      expect(json.statusCode).toBe(200);
      expect((json.json() as { auditId: string }[]).map((r) => r.auditId)).toEqual(ids);
      // the page's own list of the case's trail is read through the index of the rows it lists, not past every opening
      const plan = (await db.query<{ "QUERY PLAN": string }>(
        `EXPLAIN SELECT * FROM mt_audit WHERE case_id = $1::bigint AND ${LISTED} ORDER BY audit_id`,
        [id],
      )).rows.map((r) => r["QUERY PLAN"]).join("\n");
      expect(plan).toContain("mt_audit_case_listed");
      // a case that is not there is a 404 before anything is sent
      expect((await app.inject({ method: "GET", url: "/cases/999999/audit.csv", headers: rev })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
