// An auditor's (or an admin's) reading of one case's trail (/audit?case=N, GET /api/audit?case=N, /audit.csv?case=N)
// is a row of that case's trail (audit-export, with the case's number). The case page listed each such row in its
// table of decisions, in the export's own terms ("form: page; rows: 3; after: none"): a reviewer read them as actions
// on the case, and an auditor paging through a case's trail buried its decisions as openings once did. They are one
// line under the table now, as openings are; the case's CSV keeps every row.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { when } from "../src/web/html.js";

const openWeb = embeddedWeb();

describe("reads of a case's audit trail on its page", { timeout: 60_000 }, () => {
  it("are one line under the trail's table, who and how often, not rows among the decisions", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "trail-reads-1" }));
    const rev = await bearer(auth, "rev");
    const audra = await bearer(auth, "audra", "auditor");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: rev, payload: { action: "assign", note: "mine" } })).statusCode).toBe(200);

    const page0 = (await get(`/cases/${caseId}`, rev)).body;
    expect(page0).not.toContain('id="trail-reads"');

    for (const url of [`/audit?case=${caseId}`, `/api/audit?case=${caseId}`, `/audit.csv?case=${caseId}`]) expect((await get(url, audra)).statusCode).toBe(200);
    const reads = (await db.query<{ at: Date | string }>("SELECT at FROM mt_audit WHERE action = 'audit-export' AND case_id = $1::bigint ORDER BY audit_id", [caseId])).rows;
    expect(reads).toHaveLength(3);

    const page = (await get(`/cases/${caseId}`, rev)).body;
    const table = page.slice(page.indexOf('<table id="audit"'), page.indexOf("</table>", page.indexOf('<table id="audit"')));
    expect(table).toContain("<td>assign</td>");
    expect(table).not.toContain("audit-export");
    expect(page).toContain(
      `<p id="trail-reads" class="muted">This case's audit trail read by audra (last ${when(new Date(reads[2]!.at).toISOString())}, 3 times), with the case's number as a filter (the audit trail's page or its export): each read is a row of the trail (action audit-export).</p>`,
    );
    // the case's CSV keeps every row
    const csv = (await get(`/cases/${caseId}/audit.csv`, rev)).body;
    expect(csv.split("\n").filter((l) => l.includes('"audit-export"'))).toHaveLength(3);
  });
});
