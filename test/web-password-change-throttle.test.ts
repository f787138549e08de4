// Changing one's password checks the current one: with a session or a token in hand (a desk left signed in, a
// token copied from a script), that check answered every guess of the password, unthrottled and unrecorded. Wrong
// current passwords now count with the sign-in's wrong passwords for the name, and each is in the audit trail.
import { describe, expect, it } from "vitest";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("changing one's password", { timeout: 60_000 }, () => {
  it("checks no more than five wrong current passwords, records each, and holds sign-ins for the name too", async () => {
    const { db, auth, app } = await openWeb();
    const headers = await bearer(auth, "rev");
    const change = (currentPassword: string) => app.inject({ method: "POST", url: "/api/me/password", headers, payload: { currentPassword, newPassword: "a-new-password-long" } });
    for (let i = 0; i < 5; i++) expect((await change(`guess-${i}-password`)).statusCode).toBe(403);
    // the right one too is refused now, unchecked, until the 15 minutes are over
    const held = await change("rev-password-long");
    expect(held.statusCode).toBe(429);
    expect(held.json().error).toMatch(/try again in 15 minutes/);
    const signIn = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } });
    expect(signIn.statusCode).toBe(429);
    const failed = await db.query<{ actor: string; target: string }>("SELECT actor, target FROM mt_audit WHERE action = 'password-change-failed'");
    expect(failed.rows).toEqual(Array.from({ length: 5 }, () => ({ actor: "rev", target: "rev" })));
    expect(JSON.stringify((await db.query("SELECT * FROM mt_audit")).rows)).not.toContain("guess-");
  });

  it("with the right current password clears the wrong ones before it", async () => {
    const { auth, app } = await openWeb();
    const headers = await bearer(auth, "rev");
    const change = (currentPassword: string, newPassword: string) => app.inject({ method: "POST", url: "/api/me/password", headers, payload: { currentPassword, newPassword } });
    for (let i = 0; i < 4; i++) expect((await change(`guess-${i}-password`, "a-new-password-long")).statusCode).toBe(403);
    expect((await change("rev-password-long", "a-new-password-long")).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await change(`guess-${i}-password`, "another-password-long")).statusCode).toBe(403);
    expect((await change("a-new-password-long", "another-password-long")).statusCode).toBe(200);
  });
});
