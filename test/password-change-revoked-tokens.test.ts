// A password change revokes the API tokens the user made themselves (a token made with a leaked password must not
// outlive it), but the answer said nothing of them: the user learned which scripts stopped only when they failed.
// The API's answer and the page now list each revoked token (name, id, when created) to re-issue; tokens the operator
// gave stay and are not listed.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a password change that revokes one's own tokens", { timeout: 60_000 }, () => {
  it("names each revoked token in the API's answer and on the page", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'ada'");
    await auth.createToken(CONSOLE, "ada", "siem");
    const session = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ada", password: "ada-password-long" } }));
    const csrf = csrfOf((await app.inject({ method: "GET", url: "/admin", headers: session })).body);
    const make = async (label: string) =>
      (await app.inject({ method: "POST", url: "/api/users/ada/tokens", headers: { ...session, "x-csrf-token": csrf }, payload: { label } })).json() as { id: string };
    const laptop = await make("tokalpha-laptop");
    const ci = await make("tokalpha-ci");

    const r = await app.inject({
      method: "POST",
      url: "/api/me/password",
      headers: { ...session, "x-csrf-token": csrf },
      payload: { currentPassword: "ada-password-long", newPassword: "ada-second-password" },
    });
    expect(r.statusCode, r.body).toBe(200);
    const answer = r.json() as { sessionsEnded: number; revokedTokens: { id: string; name: string; createdAt: string }[] };
    expect(answer.sessionsEnded).toBe(0);
    expect(answer.revokedTokens.map((t) => [t.name, t.id])).toEqual([
      ["tokalpha-laptop", laptop.id],
      ["tokalpha-ci", ci.id],
    ]);
    for (const t of answer.revokedTokens) expect(t.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // the page: the revoked token listed with what to do; a change that revoked none goes on to the start page
    const desk = await make("tokalpha-desk");
    const form = async (currentPassword: string, newPassword: string) =>
      app.inject({
        method: "POST",
        url: "/password",
        headers: session,
        payload: { _csrf: csrfOf((await app.inject({ method: "GET", url: "/password", headers: session })).body), currentPassword, newPassword, confirmPassword: newPassword },
      });
    const page = await form("ada-second-password", "ada-third-password");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("tokalpha-desk");
    expect(page.body).toContain(desk.id);
    expect(page.body).toContain("created");
    expect(page.body).not.toContain("siem");
    expect(page.body).toContain('href="/admin"');
    const none = await form("ada-third-password", "ada-fourth-password");
    expect(none.statusCode).toBe(303);
  });
});
