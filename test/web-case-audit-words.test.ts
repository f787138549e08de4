// The case page's audit trail showed each decision as two JSON objects of five fields (before and after), so a
// reviewer, or an auditor reading the printable file, had to compare them field by field to see what was done. The
// table now says what changed, in words, and the detail (a note, a reveal's hash) as it is; the CSV and the JSON
// keep the rows as stored.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

/** The audit table's rows as text, a cell per column, tags removed. */
const trailOf = (page: string): string[][] => {
  const start = page.indexOf('<table id="audit"');
  const table = page.slice(start, page.indexOf("</table>", start));
  return table
    .split("<tr>")
    .slice(2)
    .map((r) => r.split("<td>").slice(1).map((c) => c.replace(/<[^>]+>/g, "").replace(/&gt;/g, ">").replace(/&quot;/g, '"').trim()));
};

describe("the case page's audit trail", { timeout: 60_000 }, () => {
  it("says what each decision changed, in words", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "words-1" }));
    const ann = await bearer(auth, "ann");
    const act = (body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: body });
    expect((await act({ action: "assign" })).statusCode).toBe(200);
    expect((await act({ action: "escalate", note: "hotline asked" })).statusCode).toBe(200);
    expect((await act({ action: "report", reportRef: "HL-0042" })).statusCode).toBe(200);

    for (const url of [`/cases/${caseId}`, `/cases/${caseId}/print`]) {
      const trail = trailOf((await app.inject({ method: "GET", url, headers: ann })).body);
      // who, and under it (<br>) the API token ann acted with (migration 25)
      const who = expect.stringMatching(/^ann \(reviewer\)with API token test \([0-9a-f]{12}\)$/);
      expect(trail.map((r) => [r[1], r[2], r[3], r[4]]), url).toEqual([
        [who, "assign", "status: open → in review; assignee: none → ann", ""],
        [who, "escalate", "status: in review → escalated", "note: hotline asked"],
        [who, "report", "status: escalated → reported; report reference: none → HL-0042", ""],
      ]);
    }
  });
});
