// Behind TLS the session cookie was Secure but plainly named, so another host of the bank's domain, or any answer
// over plain HTTP to this host, could plant an mt_session of its own (someone else's session: the reviewer then works,
// and is audited, as that user). Behind trusted proxies it is now __Host-mt_session, which a browser takes only from
// HTTPS, for this host alone, path /; and signing out clears it with the same attributes.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the session cookie behind a TLS proxy", { timeout: 60_000 }, () => {
  it("is a __Host- cookie, works as the session, and is cleared at sign-out", async () => {
    const { db, auth, app } = await openWeb({ trustProxy: ["127.0.0.1"] });
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" }, remoteAddress: "127.0.0.1" });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.cookies.map(({ name, path, domain, secure, httpOnly, sameSite }) => ({ name, path, domain, secure, httpOnly, sameSite }))).toEqual([
      { name: "__Host-mt_session", path: "/", domain: undefined, secure: true, httpOnly: true, sameSite: "Strict" },
    ]);
    const cookie = `__Host-mt_session=${signIn.cookies[0]!.value}`;
    expect((await app.inject({ method: "GET", url: "/api/me", headers: { cookie } })).json()).toEqual({ username: "rev", role: "reviewer" });
    // one planted under the plain name is no session here
    expect((await app.inject({ method: "GET", url: "/api/me", headers: { cookie: `mt_session=${signIn.cookies[0]!.value}` } })).statusCode).toBe(401);
    const out = await app.inject({ method: "POST", url: "/logout", headers: { cookie } });
    // (with the queue's kept filters, which a sign-out forgets: web-queue-filters-kept.test.ts, and a notice not shown
    // yet, which is not the next person's: web-password-changed-notice.test.ts)
    expect(out.cookies).toMatchObject([
      { name: "__Host-mt_session", value: "", path: "/", secure: true },
      { name: "mt_queue", value: "", path: "/cases", secure: true },
      { name: "mt_flash", value: "", path: "/", secure: true },
    ]);
  });

  it("without a proxy (the page on this host, plain HTTP) keeps its plain name", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } });
    expect(signIn.cookies.map((c) => [c.name, c.secure ?? false])).toEqual([["mt_session", false]]);
  });
});
