// Who opened which case was not in the audit trail: a reviewer could read a case (its page, or GET /api/cases/:id)
// and leave no trace; banks ask who looked at a case. Each opening of one case is now a `case-view` row (every one:
// see case-view-every-opening.test.ts for why not one per user in 10 minutes); lists are not views. Exports were
// audited already.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("opening a case", { timeout: 60_000 }, () => {
  it("is in the audit trail, each one; lists, refusals and missing cases are not", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "view-1" }));
    const merchantId = (await db.query<{ merchant_id: string }>("SELECT merchant_id FROM mt_cases")).rows[0]!.merchant_id;
    const rev = await bearer(auth, "rev");
    const rev2 = await bearer(auth, "rev2");
    const tuner = await bearer(auth, "tom", "rule-tuner");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    const views = async () =>
      (await db.query<{ actor: string; case_id: string; target: string; detail: unknown }>("SELECT actor, case_id::text AS case_id, target, detail FROM mt_audit WHERE action = 'case-view' ORDER BY audit_id")).rows;

    expect((await get("/cases", rev)).statusCode).toBe(200);
    expect((await get("/api/cases", rev)).statusCode).toBe(200);
    expect((await get("/api/cases/999", rev)).statusCode).toBe(404);
    expect((await get(`/api/cases/${caseId}`, tuner)).statusCode).toBe(403);
    expect(await views()).toEqual([]);

    expect((await get(`/cases/${caseId}`, rev)).statusCode).toBe(200);
    expect((await get(`/api/cases/${caseId}`, rev)).statusCode).toBe(200);
    expect((await get(`/cases/${caseId}`, rev)).statusCode).toBe(200);
    expect((await get(`/api/cases/${caseId}`, rev2)).statusCode).toBe(200);
    expect(await views()).toEqual([
      { actor: "rev", case_id: caseId, target: merchantId, detail: { via: "page" } },
      { actor: "rev", case_id: caseId, target: merchantId, detail: { via: "api" } },
      { actor: "rev", case_id: caseId, target: merchantId, detail: { via: "page" } },
      { actor: "rev2", case_id: caseId, target: merchantId, detail: { via: "api" } },
    ]);

    // the page keeps its trail table for decisions and names who opened the case in a line under it
    const page = (await get(`/cases/${caseId}`, rev2)).body;
    const table = page.slice(page.indexOf('<table id="audit"'), page.indexOf("</table>", page.indexOf('<table id="audit"')));
    expect(table).not.toContain("case-view");
    expect(page).toMatch(/<p id="case-views"[^>]*>Opened by rev \(last [^)]*, 3 times\), rev2 \(last [^)]*, 2 times\):/);
  });
});
