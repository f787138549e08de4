// A session lasted its 8 hours whatever happened: a reviewer who left a case open on a shared desk left it open for
// the next person. A session now also ends after MT_WEB_IDLE_MINUTES (default 30) without a request, the page saying
// so; its last request is written at most once a minute, not on every request. The time is moved here by dating
// the session's row back, not by waiting.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { authSettings } from "../src/config/auth.js";
import { embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("a session left idle", { timeout: 60_000 }, () => {
  it("ends after the idle minutes, the page saying it was for inactivity; the 8 hours still hold; the last request is written once a minute", async () => {
    vi.stubEnv("MT_WEB_IDLE_MINUTES", "5");
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = async () => sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } }));
    const lastSeen = async () => (await db.query<{ at: string }>("SELECT last_seen_at::text AS at FROM mt_sessions")).rows[0]?.at;
    const idleFor = (interval: string) => db.query(`UPDATE mt_sessions SET last_seen_at = now() - interval '${interval}'`);

    const page = await signIn();
    expect((await app.inject({ method: "GET", url: "/cases", headers: page })).statusCode).toBe(200);
    // a request within the minute writes nothing; one after it moves the time on
    await idleFor("30 seconds");
    const before = await lastSeen();
    expect((await app.inject({ method: "GET", url: "/cases", headers: page })).statusCode).toBe(200);
    expect(await lastSeen()).toBe(before);
    await idleFor("4 minutes");
    expect((await app.inject({ method: "GET", url: "/cases", headers: page })).statusCode).toBe(200);
    expect((await db.query("SELECT 1 FROM mt_sessions WHERE last_seen_at > now() - interval '10 seconds'")).rows).toHaveLength(1);

    // 5 minutes without a request: the page sends to sign-in, which says why
    await idleFor("6 minutes");
    const idle = await app.inject({ method: "GET", url: "/cases", headers: page });
    expect(idle.statusCode).toBe(302);
    expect(idle.headers.location).toBe("/login?next=%2Fcases&idle=1");
    const login = await app.inject({ method: "GET", url: idle.headers.location });
    expect(login.body).toContain("You were signed out after 5 minutes without activity");
    // the session is over, not only refused
    expect(await lastSeen()).toBeUndefined();
    expect((await app.inject({ method: "GET", url: "/cases", headers: page })).headers.location).toBe("/login?next=%2Fcases");

    // a form and the API say it too
    const form = await signIn();
    await idleFor("6 minutes");
    const sent = await app.inject({ method: "POST", url: "/cases/1/comment", headers: { ...form, "content-type": "application/x-www-form-urlencoded" }, payload: "_csrf=x&body=y" });
    expect(sent.statusCode).toBe(401);
    expect(sent.body).toContain("Nothing was done");
    expect(sent.body).toContain("signed out after 5 minutes without activity");
    const api = await signIn();
    await idleFor("6 minutes");
    const me = await app.inject({ method: "GET", url: "/api/me", headers: api });
    expect(me.statusCode).toBe(401);
    expect(me.json().error).toBe("you were signed out after 5 minutes without activity: sign in again");

    // active, but past the 8 hours: ended as before
    const old = await signIn();
    await db.query("UPDATE mt_sessions SET expires_at = now() - interval '1 second'");
    expect((await app.inject({ method: "GET", url: "/cases", headers: old })).headers.location).toBe("/login?next=%2Fcases");
  });

  it("takes its minutes from MT_WEB_IDLE_MINUTES, 30 by default", () => {
    expect(authSettings({}).idleMinutes).toBe(30);
    expect(authSettings({ MT_WEB_IDLE_MINUTES: "240" }).idleMinutes).toBe(240);
    expect(() => authSettings({ MT_WEB_IDLE_MINUTES: "0" })).toThrow("MT_WEB_IDLE_MINUTES 0: expected a whole number from 1 to 480");
  });
});
