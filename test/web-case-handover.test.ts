// Handing a case over at the end of a shift: the case page offered only "Assign to me", so a reviewer could not give
// a case to a colleague (only the API could); the page now offers "Hand over to" with the active reviewers, and the
// handover is an assign in the audit trail like any other, with its note.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";
import { CONSOLE } from "../src/cases/store.js";

const openWeb = embeddedWeb();

describe("handing a case over from its page", { timeout: 60_000 }, () => {
  it("offers the active reviewers, assigns the case to the one chosen and says so", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "handover-1" }));
    const ann = await bearer(auth, "ann");
    await bearer(auth, "bob");
    await bearer(auth, "cat");
    await bearer(auth, "tom", "rule-tuner");
    await auth.setDisabled(CONSOLE, "cat", { disabled: true });
    const page = async () => (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;

    // ann takes the case, then hands it to bob with a note
    const first = await page();
    const take = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/action`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...decisionForm(first, "assign")!, note: "" }).toString(),
    });
    expect(take.statusCode).toBe(303);

    const mine = await page();
    const handover = mine.slice(mine.indexOf('data-action="handover"'), mine.indexOf("</form>", mine.indexOf('data-action="handover"')));
    expect(handover, "the page offers a handover").toContain('name="assignee"');
    // a colleague who can work the case; not ann herself (she holds it), a disabled reviewer or a rule tuner
    expect(handover).toContain('<option value="bob">bob</option>');
    expect(handover).not.toContain('value="ann"');
    expect(handover).not.toContain('value="cat"');
    expect(handover).not.toContain('value="tom"');

    const r = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/action`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...decisionForm(mine, "handover")!, assignee: "bob", note: "end of shift: hotline call pending" }).toString(),
    });
    expect(r.statusCode).toBe(303);
    const after = (await app.inject({ method: "GET", url: r.headers.location as string, headers: ann })).body;
    expect(after).toContain('<span id="assignee">bob</span>');
    expect(after).toContain("assign: the case is now in review, assigned to bob");
    const rows = await db.query<{ actor: string; after: { assignee: string }; detail: { note: string } }>(
      "SELECT actor, after, detail FROM mt_audit WHERE case_id = $1::bigint AND action = 'assign' ORDER BY audit_id",
      [caseId],
    );
    expect(rows.rows.at(-1)).toMatchObject({ actor: "ann", after: { assignee: "bob" }, detail: { note: "end of shift: hotline call pending" } });
  });
});
