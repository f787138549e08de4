// A reviewer who typed a report's reference and a note (or a long comment) while the session ran out got "Nothing
// was done" and a link to sign in: what they typed was gone (the pages are no-store, so Back does not bring it back).
// The refused page now shows what was sent and signs in again with it: the case then comes back with the form
// filled in as it was sent, nothing done until it is sent again, and still only on the case as the first page showed it.
// The sign-in redirects (303) to the case, the form kept in the new session until it is sent: it answered with the
// case's page itself, so that a reload sent the sign-in (the password) again.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { csrfOf, decisionForm, embeddedWeb, hiddenField, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();
const FORM = { "content-type": "application/x-www-form-urlencoded" };


describe("a case form sent after the session ended", { timeout: 60_000 }, () => {
  it("keeps what was typed: shown on the refused page, and back in the form after signing in again", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "kept-1" }));
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = async (kept?: string) =>
      app.inject({ method: "POST", url: "/login", headers: FORM, payload: new URLSearchParams({ username: "rev", password: "rev-password-long", next: `/cases/${caseId}`, ...(kept && { kept }) }).toString() });

    const first = sessionOf(await signIn());
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: first })).body;
    await app.inject({ method: "POST", url: "/logout", headers: first });

    // a dismissal with its reason and a long note, sent after the session ended
    const note = 'the merchant\'s "shop" is a <b>registered</b> charity & the disputes are one customer';
    const shown = decisionForm(page, "dismiss")!;
    const sent = { ...shown, reason: "legitimate-business", note };
    const ended = await app.inject({ method: "POST", url: `/cases/${caseId}/action`, headers: { ...first, ...FORM, "sec-fetch-site": "same-origin" }, payload: new URLSearchParams(sent).toString() });
    expect(ended.statusCode).toBe(401);
    expect(ended.body).toContain("Nothing was done");
    // what was typed, on the page, to copy if need be
    expect(ended.body).toContain("the merchant&#39;s &quot;shop&quot; is a &lt;b&gt;registered&lt;/b&gt; charity &amp; the disputes are one customer");
    // and a sign-in right there that carries it
    expect(ended.body).toMatch(/<form method="post" action="\/login">/);
    const kept = hiddenField(ended.body, "kept");
    expect(kept).toBeDefined();
    expect(hiddenField(ended.body, "next")).toBe(`/cases/${caseId}`);

    // a wrong password does not lose it either
    const wrong = await app.inject({ method: "POST", url: "/login", headers: FORM, payload: new URLSearchParams({ username: "rev", password: "not-it", next: `/cases/${caseId}`, kept: kept! }).toString() });
    expect(wrong.statusCode).toBe(401);
    expect(hiddenField(wrong.body, "kept")).toBe(kept);

    const signedIn = await signIn(kept);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe(`/cases/${caseId}`);
    const second = sessionOf(signedIn);
    // the case, and a reload of it: the form filled in both times, the sign-in not sent again
    let again = "";
    for (let i = 0; i < 2; i++) {
      again = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: second })).body;
      expect(again).toContain(`Case #${caseId}`);
      expect(again).toMatch(/nothing was done yet/i);
      const form = decisionForm(again, "dismiss")!;
      // the form as it was sent, under the new sign-in's CSRF token, and on the case as the first page showed it
      expect(form._csrf).toBe(csrfOf(again));
      expect(form.seen).toBe(shown.seen);
      expect(again).toContain('<option value="legitimate-business" selected>');
      expect(again).toContain(`>the merchant&#39;s &quot;shop&quot; is a &lt;b&gt;registered&lt;/b&gt; charity &amp; the disputes are one customer</textarea>`);
    }
    expect((await db.query("SELECT status FROM mt_cases")).rows).toEqual([{ status: "open" }]);
    expect((await db.query("SELECT count(*)::int AS n FROM mt_audit WHERE action = 'login'")).rows).toEqual([{ n: 2 }]);
    const form = decisionForm(again, "dismiss")!;

    // sent again, it is done
    const done = await app.inject({ method: "POST", url: `/cases/${caseId}/action`, headers: { ...second, ...FORM }, payload: new URLSearchParams({ ...form, reason: "legitimate-business", note }).toString() });
    expect(done.statusCode).toBe(303);
    expect((await db.query("SELECT status, dismiss_reason FROM mt_cases")).rows).toEqual([{ status: "dismissed", dismiss_reason: "legitimate-business" }]);
    // sent, it is no longer kept
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: second })).body).not.toMatch(/nothing was done yet/i);
  });

  it("keeps a comment the same way", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "kept-2" }));
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const first = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } }));
    const csrf = csrfOf((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: first })).body);
    await app.inject({ method: "POST", url: "/logout", headers: first });
    const body = "checked the descriptor history line by line\nand the hotline's list";
    const ended = await app.inject({ method: "POST", url: `/cases/${caseId}/comment`, headers: { ...first, ...FORM }, payload: new URLSearchParams({ _csrf: csrf, body }).toString() });
    expect(ended.statusCode).toBe(401);
    expect(ended.body).toContain("and the hotline&#39;s list");
    const again = await app.inject({
      method: "POST",
      url: "/login",
      headers: FORM,
      payload: new URLSearchParams({ username: "rev", password: "rev-password-long", next: hiddenField(ended.body, "next")!, kept: hiddenField(ended.body, "kept")! }).toString(),
    });
    expect(again.statusCode).toBe(303);
    const page = (await app.inject({ method: "GET", url: again.headers.location!, headers: sessionOf(again) })).body;
    expect(page).toMatch(/<textarea name="body"[^>]*>checked the descriptor history line by line\nand the hotline&#39;s list<\/textarea>/);
    expect((await db.query("SELECT 1 FROM mt_case_comments")).rows).toEqual([]);
  });

  it("from another site's page, shows nothing of what was sent", async () => {
    const { db, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "kept-3" }));
    const r = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/comment`,
      headers: { ...FORM, "sec-fetch-site": "cross-site" },
      payload: new URLSearchParams({ body: "call 555-0100 to restore your account" }).toString(),
    });
    expect(r.statusCode).toBe(401);
    expect(r.body).not.toContain("555-0100");
    expect(hiddenField(r.body, "kept")).toBeUndefined();
  });
});
