// A decision refused from the case page (a colleague acted on the case since the page was loaded, or a field was
// refused) came back as the case with empty forms: the reviewer typed the report's reference and note again, a
// chance to mistype the reference the hotline gave. The refused form now comes back filled in as it was sent.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

/** A decision's part of the case page's form, as HTML. */
const formOf = (page: string, kind: string) => new RegExp(`<p data-action="${kind}">(.*?)</p>`, "s").exec(page)?.[1] ?? "";

describe("a decision refused from the case page", { timeout: 60_000 }, () => {
  it("comes back with what was typed in its form", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "typed-1" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const act = (who: { authorization: string }, body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: who, payload: body });
    expect((await act(ann, { action: "assign" })).statusCode).toBe(200);
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    // bob escalates while ann writes her report's reference
    expect((await act(bob, { action: "escalate" })).statusCode).toBe(200);

    const r = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/action`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...decisionForm(page, "report")!, reportRef: "HL-0042 <a&b>", note: "called the hotline" }).toString(),
    });
    expect(r.statusCode).toBe(409);
    const report = formOf(r.body, "report");
    expect(report).toMatch(/name="reportRef"[^>]* value="HL-0042 &lt;a&amp;b&gt;"/);
    // the note, in the comment's box the decision took it from
    expect(r.body).toMatch(/<textarea name="body"[^>]*>called the hotline<\/textarea>/);

    // a dismissal refused keeps its reason chosen
    const page2 = r.body;
    expect((await act(bob, { action: "assign" })).statusCode).toBe(200);
    const d = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/action`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...decisionForm(page2, "dismiss")!, reason: "duplicate", note: "" }).toString(),
    });
    expect(d.statusCode).toBe(409);
    expect(formOf(d.body, "dismiss")).toContain('<option value="duplicate" selected>');
  });
});
