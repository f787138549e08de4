// Escalate, Mark reported, Dismiss and Record account closed were one click on the case page, though none is undone
// by another action: a slip of the mouse was in the audit trail for good. Each now asks to be confirmed on a page of
// its own (no JavaScript), which says why, lists what was sent, and records nothing: "Yes" takes the decision (one
// audit row), "No" goes back to the case with everything typed filled in. A refusal comes before the confirmation.
// Taking or handing over a case, reopening one and a comment stay one click; the API takes each decision at once.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { press, send as sendForm, type Sent } from "./helpers/browser-form.js";

const openWeb = embeddedWeb();

describe("a decision that cannot be undone, from the case page", { timeout: 60_000 }, () => {
  it("is confirmed on a page of its own first, and recorded only then", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "confirm-1" }));
    const ann = await bearer(auth, "ann");
    const page = async () => (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    const send = (s: Sent | undefined) => sendForm(app, ann, s);
    const decisions = async () => (await db.query<{ action: string; detail: unknown }>("SELECT action, detail FROM mt_audit WHERE case_id = $1::bigint AND action NOT IN ('case-view') ORDER BY audit_id", [caseId])).rows;
    const status = async () => (await db.query<{ status: string }>("SELECT status FROM mt_cases WHERE case_id = $1::bigint", [caseId])).rows[0]!.status;

    // taking the case: one click
    expect((await send(press(await page(), "Assign to me"))).statusCode).toBe(303);
    expect(await decisions()).toEqual([{ action: "assign", detail: null }]);

    // escalate: a page that asks, nothing recorded
    const ask = await send(press(await page(), "Escalate", { body: "hotline asked for it" }));
    expect(ask.statusCode, ask.body).toBe(200);
    expect(ask.body).toContain("An escalated case does not go back to in review. Nothing is done until you confirm");
    expect(ask.body).toContain("<dt>comment</dt><dd>hotline asked for it</dd>");
    expect(await status()).toBe("in_review");
    expect(await decisions()).toHaveLength(1);

    // no: back to the case, the comment filled in, nothing recorded
    const back = await send(press(ask.body, "No, back to the case"));
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain("Nothing was done: what you typed is filled in below.");
    expect(back.body).toMatch(/<textarea [^>]*name="body"[^>]*>hotline asked for it<\/textarea>/);
    expect(await decisions()).toHaveLength(1);

    // yes: taken, one row, with the comment as its note
    const again = await send(press(back.body, "Escalate"));
    expect(again.statusCode).toBe(200);
    const yes = await send(press(again.body, "Yes, escalate"));
    expect(yes.statusCode, yes.body).toBe(303);
    expect(await status()).toBe("escalated");
    expect(await decisions()).toEqual([
      { action: "assign", detail: null },
      { action: "escalate", detail: { note: "hotline asked for it" } },
    ]);

    // a refusal comes first: a report without its reference is refused, not asked to be confirmed
    const noRef = await send(press(await page(), "Mark reported"));
    expect(noRef.statusCode).toBe(400);
    expect(noRef.body).not.toContain('id="confirm"');

    // dismiss: asked, then taken
    const dismiss = await send(press(await page(), "Dismiss", { reason: "duplicate", body: "same as the earlier case" }));
    expect(dismiss.statusCode).toBe(200);
    expect(dismiss.body).toContain('id="confirm"');
    expect(await status()).toBe("escalated");
    expect((await send(press(dismiss.body, "Yes, dismiss"))).statusCode).toBe(303);
    expect(await status()).toBe("dismissed");

    // reopen: one click (the comment says why)
    expect((await send(press(await page(), "Reopen", { body: "new evidence from the hotline" }))).statusCode).toBe(303);
    expect(await status()).toBe("open");
    expect((await decisions()).map((r) => r.action)).toEqual(["assign", "escalate", "dismiss", "reopen"]);
  });

  it("is taken at once through the API, whose client means it", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "confirm-2" }));
    const ann = await bearer(auth, "ann");
    const act = (payload: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload });
    expect((await act({ action: "assign" })).statusCode).toBe(200);
    expect((await act({ action: "escalate" })).statusCode).toBe(200);
  });
});
