// A suspected password leak. Before: a user's own password change ended their other sessions but left every API
// token they had made for themselves with the leaked password (an admin's, from the admin page) working; and an
// admin had no way to reset someone else's password at all (only `users add`, and the user's own change, which needs
// the current password). Now an own change also revokes the tokens the user made themselves (those the operator gave
// from the server, `users token`, never depended on the password and stay); an admin's reset (the admin page, the API,
// `moneytrail users reset-password` on the server) sets a one-time password, ends every session of the user and
// revokes every token, audited with who did it.
import { describe, expect, it } from "vitest";
import { CONSOLE, type Role } from "../src/cases/store.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";
import type { EmbeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

async function user(web: EmbeddedWeb, username: string, role: Role) {
  await web.auth.addUser(CONSOLE, { username, role, password: `${username}-password-long` });
  await web.db.query("UPDATE mt_users SET password_change_required = false WHERE username = $1", [username]);
}
const signIn = async (web: EmbeddedWeb, username: string, password = `${username}-password-long`) => {
  const r = await web.app.inject({ method: "POST", url: "/login", payload: { username, password } });
  return r.statusCode === 303 ? sessionOf(r) : undefined;
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = async (web: EmbeddedWeb, headers: Record<string, string>) => (await web.app.inject({ method: "GET", url: "/api/me", headers })).statusCode;
const audit = async (web: EmbeddedWeb, action: string) =>
  (await web.db.query<{ actor: string; target: string; detail: unknown }>("SELECT actor, target, detail FROM mt_audit WHERE action = $1 ORDER BY audit_id", [action])).rows;

describe("a password change", { timeout: 60_000 }, () => {
  it("of one's own ends one's other sessions and revokes the API tokens one made oneself, not those the operator gave", async () => {
    const web = await openWeb();
    await user(web, "ada", "admin");
    const fromOperator = await web.auth.createToken(CONSOLE, "ada", "siem");
    const a = (await signIn(web, "ada"))!;
    const b = (await signIn(web, "ada"))!;
    // made from the admin page with the (leaked) password
    const csrfA = csrfOf((await web.app.inject({ method: "GET", url: "/admin", headers: a })).body);
    const made = await web.app.inject({ method: "POST", url: "/api/users/ada/tokens", headers: { ...a, "x-csrf-token": csrfA }, payload: { label: "laptop" } });
    expect(made.statusCode).toBe(201);
    const own = (made.json() as { token: string }).token;
    expect(await me(web, bearer(own))).toBe(200);

    const changed = await web.app.inject({
      method: "POST",
      url: "/api/me/password",
      headers: { ...a, "x-csrf-token": csrfA },
      payload: { currentPassword: "ada-password-long", newPassword: "ada-new-password-long" },
    });
    expect(changed.statusCode).toBe(200);
    expect(await me(web, a)).toBe(200);
    expect(await me(web, b)).toBe(401);
    expect(await me(web, bearer(own))).toBe(401);
    expect(await me(web, bearer(fromOperator.token))).toBe(200);
    expect(await audit(web, "password-change")).toEqual([{ actor: "ada", target: "ada", detail: { sessionsEnded: 1, tokensRevoked: 1 } }]);
  });
});

describe("an admin's password reset", { timeout: 60_000 }, () => {
  it("sets a one-time password, ends every session of the user and revokes every token, audited with who did it", async () => {
    const web = await openWeb();
    await user(web, "ada", "admin");
    await user(web, "rev", "reviewer");
    const admin = bearer((await web.auth.createToken(CONSOLE, "ada", "admin")).token);
    const revToken = (await web.auth.createToken(CONSOLE, "rev", "script")).token;
    const revSession = (await signIn(web, "rev"))!;

    const r = await web.app.inject({ method: "POST", url: "/api/users/rev/password", headers: admin });
    expect(r.statusCode).toBe(200);
    const reset = r.json() as { username: string; password: string; sessionsEnded: number; tokensRevoked: number };
    expect(reset).toMatchObject({ username: "rev", role: "reviewer", sessionsEnded: 1, tokensRevoked: 1 });
    expect(await me(web, revSession)).toBe(401);
    expect(await me(web, bearer(revToken))).toBe(401);
    expect(await signIn(web, "rev")).toBeUndefined();
    // the one-time password signs in to choosing a new one, and to nothing else
    const fresh = (await signIn(web, "rev", reset.password))!;
    expect((await web.app.inject({ method: "GET", url: "/api/cases", headers: fresh })).statusCode).toBe(403);
    expect(await audit(web, "password-reset")).toEqual([{ actor: "ada", target: "rev", detail: { sessionsEnded: 1, tokensRevoked: 1 } }]);
    // the password itself is in no audit row
    expect(JSON.stringify((await web.db.query("SELECT * FROM mt_audit")).rows)).not.toContain(reset.password);
  });

  it("is refused to a reviewer and a rule tuner, for oneself, and for a user who is not", async () => {
    const web = await openWeb();
    await user(web, "ada", "admin");
    const admin = bearer((await web.auth.createToken(CONSOLE, "ada", "admin")).token);
    for (const role of ["reviewer", "rule-tuner"] as const) {
      await user(web, role, role);
      const r = await web.app.inject({ method: "POST", url: "/api/users/ada/password", headers: bearer((await web.auth.createToken(CONSOLE, role, "t")).token) });
      expect(r.statusCode).toBe(403);
    }
    const self = await web.app.inject({ method: "POST", url: "/api/users/ada/password", headers: admin });
    expect(self.statusCode).toBe(400);
    expect(self.json().error).toContain("/api/me/password");
    const none = await web.app.inject({ method: "POST", url: "/api/users/nobody/password", headers: admin });
    expect(none.statusCode).toBe(404);
    expect(await signIn(web, "ada")).toBeDefined();
  });

  it("from the admin page shows the one-time password once", async () => {
    const web = await openWeb();
    await user(web, "ada", "admin");
    await user(web, "rev", "reviewer");
    const s = (await signIn(web, "ada"))!;
    const page = (await web.app.inject({ method: "GET", url: "/admin", headers: s })).body;
    expect(page).toContain('action="/admin/users/rev/password"');
    const r = await web.app.inject({
      method: "POST",
      url: "/admin/users/rev/password",
      headers: { ...s, "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${csrfOf(page)}`,
    });
    expect(r.statusCode).toBe(200);
    const password = /One-time password: (\S+?)</.exec(r.body)?.[1];
    expect(password).toBeDefined();
    expect(await signIn(web, "rev", password)).toBeDefined();
  });
});
