// An auditor's (or an admin's) reading of one case's trail (/audit?case=N, GET /api/audit?case=N, /audit.csv?case=N)
// is a row of that case's trail (audit-export, with the case's number). The case page showed them to reviewers, first
// among the decisions, then as a line under the table ("This case's audit trail read by audra"): a reviewer under
// internal investigation learnt that an auditor was reading their case. Reads of the trail are for the roles that
// read the trail (admins, auditors): the case page, the case API, its JSON and printable files and the case's trail
// as a reviewer downloads it (CSV, JSON) leave them out; GET /api/audit keeps every row.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, caseViews, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("reads of a case's audit trail", { timeout: 60_000 }, () => {
  it("are not shown to reviewers anywhere they read the case; the audit export keeps them", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "reads-hidden-1" }));
    const rev = await bearer(auth, "rev");
    const audra = await bearer(auth, "audra", "auditor");
    const adam = await bearer(auth, "adam", "admin");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: rev, payload: { action: "assign", note: "mine" } })).statusCode).toBe(200);

    for (const url of [`/audit?case=${caseId}`, `/api/audit?case=${caseId}`, `/audit.csv?case=${caseId}`]) expect((await get(url, audra)).statusCode).toBe(200);
    expect((await get(`/api/audit?case=${caseId}`, adam)).statusCode).toBe(200);
    const reads = (await db.query<{ actor: string }>("SELECT actor FROM mt_audit WHERE action = 'audit-export' AND case_id = $1::bigint ORDER BY audit_id", [caseId])).rows;
    expect(reads.map((r) => r.actor)).toEqual(["audra", "audra", "audra", "adam"]);

    // every view of the case a reviewer has, twice: the second after the first's own reads of the trail (its CSV)
    for (let round = 0; round < 2; round++)
      for (const url of [...caseViews(caseId), `/cases/${caseId}/export.json`, `/api/cases/${caseId}/export`]) {
        const r = await get(url, rev);
        expect(r.statusCode, url).toBe(200);
        expect(r.body, url).not.toMatch(/audra|adam|audit-export|trail-reads/);
      }
    // the page still lists the decision, and the case's CSV every other row
    const page = (await get(`/cases/${caseId}`, rev)).body;
    expect(page.slice(page.indexOf('<table id="audit"'))).toContain("<td>assign</td>");
    const csv = (await get(`/cases/${caseId}/audit.csv`, rev)).body;
    expect(csv).toContain('"assign"');
    expect(csv.split("\n").filter((l) => l.includes('"case-view"')).length).toBeGreaterThan(2);

    // the auditors' export keeps every read, the reviewer's downloads of the case's trail too
    const all = (await get(`/api/audit?case=${caseId}&action=audit-export`, audra)).body.trim().split("\n").map((l) => JSON.parse(l) as { actor: string });
    expect(all.filter((r) => r.actor !== "rev").map((r) => r.actor)).toEqual(["audra", "audra", "audra", "adam"]);
    expect(all.filter((r) => r.actor === "rev").length).toBeGreaterThan(0);
  });
});
