// A reviewer's form sent after the session ended (8 hours after signing in, or signed out in another tab), or from a
// page of an earlier sign-in, is refused as a page that says nothing was done and leads back to the case (with what
// was sent), not as the API's JSON about bearer tokens.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a form from the case page", { timeout: 60_000 }, () => {
  it("sent after the session ended, or from an earlier sign-in's page, gets a page that leads back, and nothing is done", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "session-1" }));
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = async () => {
      const r = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long", next: `/cases/${caseId}` } });
      expect(r.headers.location).toBe(`/cases/${caseId}`);
      return sessionOf(r);
    };
    const comment = (headers: Record<string, string>, csrf: string) =>
      app.inject({ method: "POST", url: `/cases/${caseId}/comment`, headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${csrf}&body=checked+the+descriptors` });

    const first = await signIn();
    const page = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: first });
    const csrf = csrfOf(page.body);
    // signed out (in another tab), or the 8 hours are over
    await app.inject({ method: "POST", url: "/logout", headers: first });

    const ended = await comment(first, csrf);
    expect(ended.statusCode).toBe(401);
    expect(ended.headers["content-type"]).toMatch(/^text\/html/);
    expect(ended.body).toContain("Nothing was done");
    // a sign-in that leads back to the case (and brings the comment back: web-session-ended-kept.test.ts)
    expect(ended.body).toContain(`<form method="post" action="/login"><input type="hidden" name="next" value="/cases/${caseId}">`);
    expect(ended.body).not.toContain("Bearer");

    // signed in again (a new session, a new CSRF token), the form of the old page is sent once more
    const second = await signIn();
    const old = await comment(second, csrf);
    expect(old.statusCode).toBe(403);
    expect(old.headers["content-type"]).toMatch(/^text\/html/);
    expect(old.body).toContain("Nothing was done");
    // the case, with the comment back in its field under this sign-in's CSRF token, to send again
    expect(old.body).toContain(`Case #${caseId}`);
    expect(old.body).toMatch(/<textarea name="body"[^>]*>checked the descriptors<\/textarea>/);
    expect(csrfOf(old.body)).not.toBe(csrf);
    expect((await db.query("SELECT 1 FROM mt_case_comments")).rows).toEqual([]);

    // the API answers as before, in JSON
    const api = await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: first, payload: { body: "x" } });
    expect(api.statusCode).toBe(401);
    expect(api.json().error).toContain("sign in");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: { ...second, "x-csrf-token": csrf }, payload: { body: "x" } })).json().error).toContain(
      "CSRF",
    );
  });
});
