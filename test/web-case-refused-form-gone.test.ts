// A reviewer typed a report's reference and a long note while a colleague dismissed the case: the decision was
// refused (the case changed) and the case shown as it is now, with what was typed back in its form; but a dismissed
// case has no Mark reported form, so the reference and the note were gone. The page now lists what was sent when
// the case no longer offers its form, to copy (into a reopen's note, a comment), and says nothing was done with it.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("a refused decision whose form the case no longer offers", { timeout: 60_000 }, () => {
  it("is listed on the page as sent; one whose form is there is filled in, not listed", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "form-gone-1", score: 80, severity: "high" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const act = (body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: bob, payload: body });
    expect((await act({ action: "assign" })).statusCode).toBe(200);
    const report = { reportRef: "HL-2026-0042", note: "hotline confirmed the descriptor & the site's <checkout>" };
    const send = async (page: string) =>
      app.inject({ method: "POST", url: `/cases/${caseId}/action`, headers: { ...ann, ...FORM }, payload: new URLSearchParams({ ...decisionForm(page, "report")!, ...report }).toString() });
    const pageOf = async () => (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;

    // escalated meanwhile: the report form is still offered, filled in as sent
    let page = await pageOf();
    expect((await act({ action: "escalate" })).statusCode).toBe(200);
    let refused = await send(page);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('value="HL-2026-0042"');
    expect(refused.body).not.toContain('id="sent"');

    // dismissed meanwhile: no report form, what was sent listed
    page = await pageOf();
    expect((await act({ action: "dismiss", reason: "duplicate" })).statusCode).toBe(200);
    refused = await send(page);
    expect(refused.statusCode).toBe(409);
    expect(decisionForm(refused.body, "report")).toBeUndefined();
    const sent = /<div id="sent" class="kept">(.*?)<\/div>/s.exec(refused.body)?.[1];
    expect(sent).toBeDefined();
    expect(sent).toContain("nothing was done with it");
    expect(sent).toContain("<dt>decision</dt><dd>report</dd>");
    expect(sent).toContain("<dt>report reference</dt><dd>HL-2026-0042</dd>");
    expect(sent).toContain("<dt>note</dt><dd>hotline confirmed the descriptor &amp; the site&#39;s &lt;checkout&gt;</dd>");
    expect((await db.query("SELECT status, report_ref FROM mt_cases")).rows).toEqual([{ status: "dismissed", report_ref: null }]);
  });
});
