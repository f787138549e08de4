// Sign out led to the bare sign-in page: at a shared desk the reviewer leaving could not tell that it took (the
// same page greets someone whose session is still alive in another tab). It now says so: the session is over and
// the queue's filters forgotten; the page's own words, not the address's.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("signing out", { timeout: 60_000 }, () => {
  it("lands on the sign-in page saying the session is over", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const session = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } }));
    const csrf = csrfOf((await app.inject({ method: "GET", url: "/cases", headers: session })).body);
    const out = await app.inject({ method: "POST", url: "/logout", headers: { ...session, "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${csrf}` });
    expect(out.statusCode).toBe(303);
    const page = await app.inject({ method: "GET", url: out.headers.location! });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<p class="notice">You are signed out: this browser no longer holds your session');
    expect((await app.inject({ method: "GET", url: "/cases", headers: session })).statusCode).toBe(302);
    // the plain sign-in page says nothing of it
    expect((await app.inject({ method: "GET", url: "/login" })).body).not.toContain("You are signed out");
  });
});
