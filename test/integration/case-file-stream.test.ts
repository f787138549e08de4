// The JSON case file (GET /cases/:id/export.json) held its whole trail in memory to write it: 100,000 openings were
// 21 MB a download, and a trail only grows. It is now written as its rows are read, 1,000 at a time, as the case's
// CSV trail is (54dec6c). Here, on the real PostgreSQL, with a trail of several pages: every row is in the file,
// in order, with the rest of the file as before; card numbers are truncated and a TLP:RED entry withheld on every
// page; the auditors' reads of the trail stay out; the export is recorded first with how many rows it gives and
// through which; a row written after that is not in it; and no connection is held between pages.
import { describe, expect, it } from "vitest";
import { serverDb } from "../../src/cases/db.js";
import { CaseStore, writeAudit, type AuditRow } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { caseAlert, recordCase } from "../helpers/cases.js";
import { syntheticPan } from "../helpers/card-numbers.js";
import { bearer } from "../helpers/web.js";
import { freshNames, freshSchema, serverSchema } from "./harness.js";

const PAN = syntheticPan("400012345678901");
const RED = { set: "red-set-only-here", id: "red-entry-7", source: "member:red-holder.example", confidence: 97, tlp: "red" };
const AMBER = { set: "amber-set", id: "amber-entry-1", source: "member:amber.example", confidence: 80, tlp: "amber" };
const alert = (alertId: string, merchantId: string) =>
  caseAlert({
    alertId,
    merchantId,
    signals: [{ rule: "listed-payout", version: "v1", kind: "listed-identifier", value: 97, threshold: 60, explanation: "payout account on an indicator list", evidence: { eventIds: [], indicators: [RED, AMBER] } }],
  });
const reviewer = { username: "rev", role: "reviewer", credential: "session" } as const;

describe("the JSON case file of a long trail", { timeout: 120_000 }, () => {
  const schema = serverSchema("case-file-stream");

  it("has every row, page after page, and says how many in the trail before it is read", async () => {
    const db = schema.db();
    const app = await buildWebServer({ log: createLogger("silent" as "fatal"), db });
    try {
      const rev = await bearer(new Auth(db), "rev");
      const id = await recordCase(db, alert("case-file-stream-1", "M-FILE-STREAM"));
      const n = 2_750;
      // openings, with a sightings export naming the red entry and a comment quoting a card number on the last page
      await db.query(
        `INSERT INTO mt_audit (actor, role, action, case_id, target, detail)
         SELECT 'rev', 'reviewer', CASE WHEN g = 2600 THEN 'export-sightings' ELSE 'case-view' END, $1::bigint, 'M-FILE-STREAM',
           CASE WHEN g = 2600 THEN jsonb_build_object('form', 'stix', 'indicators', jsonb_build_array('red-set-only-here/red-entry-7', 'amber-set/amber-entry-1'))
                WHEN g = 2700 THEN jsonb_build_object('via', 'api', 'quoted', $3::text) ELSE jsonb_build_object('via', 'api', 'n', g) END
         FROM generate_series(1, $2) g`,
        [id, n, `card ${PAN}`],
      );
      // an auditor's read of the case's trail: not the reviewer's to see, in the file or its count
      await writeAudit(db, { username: "audra", role: "auditor" }, "audit-export", { caseId: id, detail: { form: "page" } });
      const ids = (await db.query<{ id: string }>("SELECT audit_id::text AS id FROM mt_audit WHERE case_id = $1::bigint AND action <> 'audit-export' ORDER BY audit_id", [id])).rows.map((r) => r.id);
      expect(ids.length).toBe(n);

      const r = await app.inject({ method: "GET", url: `/cases/${id}/export.json`, headers: rev });
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
      const file = r.json() as { format: string; case: { caseId: string }; indicators: { id: string }[]; indicatorsWithheld: { count: number }; audit: AuditRow[] };
      expect(Object.keys(file).at(-1)).toBe("audit");
      expect(file.format).toBe("moneytrail-case-file/1");
      expect(file.case.caseId).toBe(id);
      expect(file.indicators.map((i) => i.id)).toEqual([AMBER.id]);
      expect(file.indicatorsWithheld.count).toBe(1);
      expect(file.audit.map((a) => a.auditId)).toEqual(ids);
      expect(file.audit[2599]!.detail).toEqual({ form: "stix", indicators: ["amber-set/amber-entry-1"] });
      expect(r.body).not.toContain(RED.id);
      expect(r.body).not.toContain(PAN);
      expect(file.audit[2699]!.detail).toMatchObject({ quoted: `card 400012******${PAN.slice(-4)}` });
      expect(r.body).not.toContain("audra");
      // recorded with how many rows the file gives, and through which
      const recorded = (await db.query<{ detail: { form: string; rows: number; through: string } }>("SELECT detail FROM mt_audit WHERE actor = 'rev' AND action = 'export' ORDER BY audit_id DESC LIMIT 1")).rows[0]!;
      expect(recorded.detail).toMatchObject({ form: "json", rows: n, through: ids.at(-1) });

      // the API's file: the first file's export row is in it, then nothing else
      const api = (await app.inject({ method: "GET", url: `/api/cases/${id}/export`, headers: rev })).json() as typeof file;
      expect(api.audit.map((a) => a.auditId).slice(0, n)).toEqual(ids);
      expect(api.audit.slice(n).map((a) => a.action)).toEqual(["export"]);
      expect({ ...api, audit: [], exportedAt: "" }).toEqual({ ...file, audit: [], exportedAt: "" });

      expect((await app.inject({ method: "GET", url: "/cases/999999/export.json", headers: rev })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("holds no connection between pages, and gives the rows up to the ones it counted", async () => {
    // one connection: a query between two pages waits for none
    const db = await serverDb(await freshSchema(freshNames("case-file-stream-one")), 1);
    try {
      const id = await recordCase(db, caseAlert({ alertId: "case-file-stream-2", merchantId: "M-FILE-ONE" }));
      await db.query(
        `INSERT INTO mt_audit (actor, role, action, case_id, target) SELECT 'rev', 'reviewer', 'case-view', $1::bigint, 'M-FILE-ONE' FROM generate_series(1, 2500) g`,
        [id],
      );
      const { file, audit } = await new CaseStore(db, ["reviewer"]).exportCase(id, reviewer);
      expect(file.case.caseId).toBe(id);
      const seen: string[] = [];
      for await (const page of audit) {
        seen.push(...page.map((a) => a.auditId));
        // between pages: the one connection is free, and a row written now is past the file's end
        await writeAudit(db, reviewer, "case-view", { caseId: id, target: "M-FILE-ONE", detail: { via: "page" } });
      }
      expect(seen.length).toBe(2_500);
      const counted = (await db.query<{ detail: { rows: number; through: string } }>("SELECT detail FROM mt_audit WHERE action = 'export'")).rows[0]!.detail;
      expect(counted).toMatchObject({ rows: 2_500, through: seen.at(-1) });
    } finally {
      await db.close();
    }
  });
});
