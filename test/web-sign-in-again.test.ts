// A browser that signed in while still carrying a session cookie (signing in again in the same tab, or as someone
// else on a shared desk) got a new session and left the old one alive in the table: its cookie, copied or kept
// elsewhere, still worked for the rest of its 8 hours. A sign-in now ends the session the browser presented.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("signing in with a session cookie", { timeout: 60_000 }, () => {
  it("ends that session: its cookie no longer works, and the trail says it was ended by the new sign-in", async () => {
    const { db, auth, app } = await openWeb();
    for (const username of ["rev", "rev2"]) await auth.addUser(CONSOLE, { username, role: "reviewer", password: `${username}-password-long` });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = async (username: string, headers: Record<string, string> = {}) =>
      sessionOf(await app.inject({ method: "POST", url: "/login", headers, payload: { username, password: `${username}-password-long` } }));
    const who = async (headers: Record<string, string>) => {
      const r = await app.inject({ method: "GET", url: "/api/me", headers });
      return r.statusCode === 200 ? r.json().username : r.statusCode;
    };

    const first = await signIn("rev");
    const second = await signIn("rev", first);
    expect(await who(second)).toBe("rev");
    expect(await who(first)).toBe(401);
    // someone else at the same browser
    const other = await signIn("rev2", second);
    expect(await who(other)).toBe("rev2");
    expect(await who(second)).toBe(401);
    expect((await db.query("SELECT username FROM mt_sessions")).rows).toEqual([{ username: "rev2" }]);
    // a wrong password ends nothing
    expect((await app.inject({ method: "POST", url: "/login", headers: other, payload: { username: "rev", password: "not-the-password" } })).statusCode).toBe(401);
    expect(await who(other)).toBe("rev2");

    const trail = await db.query("SELECT actor, action, detail FROM mt_audit WHERE action IN ('login', 'logout') ORDER BY audit_id");
    expect(trail.rows.map((r) => [r.actor, r.action, r.detail])).toEqual([
      ["rev", "login", { address: "127.0.0.1" }],
      ["rev", "logout", { reason: "signed in again in the same browser" }],
      ["rev", "login", { address: "127.0.0.1" }],
      ["rev", "logout", { reason: "signed in again in the same browser" }],
      ["rev2", "login", { address: "127.0.0.1" }],
    ]);
  });
});
