// A reviewer wrote a comment in the case page's comment box and pressed a decision's button (Hand over, Mark
// reported, …): the comment box had a form of its own, so the browser sent the decision's form without it, and what
// was typed was gone, after the decision as after its refusal. The page now has one form for the comment and every
// decision: the decision carries the comment as its note (in the timeline and the audit trail), and a refused one
// comes back with the comment in its box and the decision's fields as typed.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { press, send as sendForm, type Sent } from "./helpers/browser-form.js";

const openWeb = embeddedWeb();
const COMMENT = "checked the descriptor history: tokalpha twice in a week";

describe("a comment typed in the case page's box", { timeout: 60_000 }, () => {
  it("goes with the decision pressed, and comes back after a refusal", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "comment-with-decision-1" }));
    const ann = await bearer(auth, "ann");
    await bearer(auth, "bob");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign" } })).statusCode).toBe(200);
    const page = async () => (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    const send = (s: Sent | undefined) => sendForm(app, ann, s);

    // refused (no reference): the comment is back in its box, nothing recorded
    const refused = await send(press(await page(), "Mark reported", { body: COMMENT }));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(new RegExp(`<textarea [^>]*name="body"[^>]*>${COMMENT}</textarea>`));

    // handed over with the comment: the decision's note, in the trail and the timeline
    const handed = await send(press(refused.body, "Hand over", { body: COMMENT, assignee: "bob" }));
    expect(handed.statusCode, handed.body).toBe(303);
    const rows = (await db.query<{ action: string; detail: unknown }>("SELECT action, detail FROM mt_audit WHERE case_id = $1::bigint AND action IN ('assign', 'report', 'comment') ORDER BY audit_id", [caseId])).rows;
    expect(rows).toEqual([
      { action: "assign", detail: null },
      { action: "assign", detail: { note: COMMENT } },
    ]);
    expect(await page()).toContain(`assign by <strong>ann</strong>: assignee: ann → bob; note: ${COMMENT}`);

    // Add comment sends the comment alone, whatever else was typed in the form
    const commented = await send(press(await page(), "Add comment", { body: "second look done", reportRef: "HL-0001" }));
    expect(commented.statusCode, commented.body).toBe(303);
    const comments = (await db.query<{ body: string }>("SELECT body FROM mt_case_comments WHERE case_id = $1::bigint", [caseId])).rows;
    expect(comments).toEqual([{ body: "second look done" }]);
  });
});

describe("Enter in a field of the case page's form", { timeout: 60_000 }, () => {
  it("sends nothing: the form's default button (its first) is a disabled one, not Add comment", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "comment-with-decision-2" }));
    const ann = await bearer(auth, "ann");
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    const form = /<form method="post" action="\/cases\/\d+\/action" id="decide">(.*?)<\/form>/s.exec(page)![1]!;
    expect(/<button[^>]*>/.exec(form)![0]).toBe("<button disabled hidden>");
  });
});
