// The sign-in form was the one change taken from any site: another site's page could post its own user's name and
// password to /login and leave the reviewer's browser signed in as that user (login CSRF: the reviewer's work, reveals
// among it, then recorded as, and seen by, someone else), or sign the reviewer out. A browser says where a request
// comes from (Sec-Fetch-Site); a sign-in or sign-out from another site is now refused, nothing done.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("signing in and out from another site", { timeout: 60_000 }, () => {
  it("is refused, nothing done; from the page itself it works", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "mallory", role: "reviewer", password: "mallory-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = (site?: string) =>
      app.inject({ method: "POST", url: "/login", payload: { username: "mallory", password: "mallory-password-long" }, headers: site ? { "sec-fetch-site": site } : {} });
    for (const site of ["cross-site", "same-site"]) {
      const r = await signIn(site);
      expect(r.statusCode).toBe(403);
      expect(r.cookies).toEqual([]);
      expect(r.body).toContain("another site");
    }
    expect((await db.query("SELECT 1 FROM mt_audit WHERE action LIKE 'login%'")).rows).toEqual([]);
    const ok = await signIn("same-origin");
    expect(ok.statusCode).toBe(303);
    // a client that does not say (curl, an older browser) as before
    expect((await signIn()).statusCode).toBe(303);
    const session = sessionOf(ok);
    expect((await app.inject({ method: "POST", url: "/logout", headers: { ...session, "sec-fetch-site": "cross-site" } })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: "/api/me", headers: session })).statusCode).toBe(200);
  });
});
