// A form kept through the sign-in (its session ended) was lost when that sign-in had to set a password first: after
// an admin's reset (which also ends the reviewer's sessions) the one-time password signs in to /password, and the
// kept form went nowhere. It now goes through the password form too (a wrong current password included): the new
// password set, the case comes back with the form filled in as it was sent, nothing done until it is sent again.
// Each step redirects (303), the form kept in the new session: a reload sends neither password again.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { csrfOf, decisionForm, embeddedWeb, hiddenField, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("a kept form and a password to set at sign-in", { timeout: 60_000 }, () => {
  it("goes through the password form and comes back on the case", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "kept-pw-1" }));
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const first = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } }));
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: first })).body;
    // an admin resets rev's password: the session ends, a one-time password to change at the next sign-in
    const { password: oneTime } = await auth.resetPassword(CONSOLE, "rev");

    const note = "the descriptor matches the hotline's report";
    const shown = decisionForm(page, "dismiss")!;
    const ended = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/action`,
      headers: { ...first, ...FORM },
      payload: new URLSearchParams({ ...shown, reason: "insufficient-evidence", note }).toString(),
    });
    expect(ended.statusCode).toBe(401);
    const kept = hiddenField(ended.body, "kept")!;
    expect(kept).toBeDefined();

    const signedIn = await app.inject({ method: "POST", url: "/login", headers: FORM, payload: new URLSearchParams({ username: "rev", password: oneTime, next: `/cases/${caseId}`, kept }).toString() });
    // to the password form, which lists what was sent
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe("/password");
    const session = sessionOf(signedIn);
    const passwordForm = (await app.inject({ method: "GET", url: "/password", headers: session })).body;
    expect(passwordForm).toContain('<form method="post" action="/password">');
    expect(passwordForm).toContain("the descriptor matches the hotline&#39;s report");
    const set = (currentPassword: string) =>
      app.inject({
        method: "POST",
        url: "/password",
        headers: { ...session, ...FORM },
        payload: new URLSearchParams({ _csrf: csrfOf(passwordForm), currentPassword, newPassword: "rev-own-password-1", confirmPassword: "rev-own-password-1" }).toString(),
      });

    // a wrong current password does not lose it
    const wrong = await set("not-it");
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain('<form method="post" action="/password">');
    expect(wrong.body).toContain("the descriptor matches the hotline&#39;s report");

    const done = await set(oneTime);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/cases/${caseId}`);
    const back = (await app.inject({ method: "GET", url: done.headers.location!, headers: session })).body;
    expect(back).toContain(`Case #${caseId}`);
    expect(back).toMatch(/nothing was done yet/i);
    const form = decisionForm(back, "dismiss")!;
    expect(form.seen).toBe(shown.seen);
    expect(back).toContain('<option value="insufficient-evidence" selected>');
    expect(back).toContain(`>the descriptor matches the hotline&#39;s report</textarea>`);
    expect((await db.query("SELECT status, password_change_required FROM mt_cases, mt_users")).rows).toEqual([{ status: "open", password_change_required: false }]);

    // sent again, it is done
    const sent = await app.inject({ method: "POST", url: `/cases/${caseId}/action`, headers: { ...session, ...FORM }, payload: new URLSearchParams({ ...form, reason: "insufficient-evidence", note }).toString() });
    expect(sent.statusCode).toBe(303);
    expect((await db.query("SELECT status FROM mt_cases")).rows).toEqual([{ status: "dismissed" }]);
  });
});
