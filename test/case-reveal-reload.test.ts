// The case page's Reveal answered its POST with the page itself: a reload (F5) sent the form again, which recorded
// another reveal-url row and revealed the address again. The reveal now answers as the page's other forms do, with a
// redirect to the case (POST/redirect/GET): the revealed address is shown once, on the page the redirect opens, to
// the reviewer who revealed it; a reload shows the case without it and records no reveal. What the browser carries
// to that page names only a reveal the trail holds, of that reviewer on that case: it reveals nothing unrecorded.
import { describe, expect, it } from "vitest";
import type { LightMyRequestResponse } from "fastify";
import { CONSOLE, urlHash } from "../src/cases/store.js";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { csrfOf, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const FLAGGED = "https://gallery.flagged.example/p/1";
const SHOP = "https://shop.example/";

/** The cookies an answer set, as the browser's next request sends them (those it expired dropped). */
const carried = (r: LightMyRequestResponse, before: Record<string, string>): Record<string, string> => {
  const jar = { ...before };
  for (const c of r.cookies) {
    if (c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now())) delete jar[c.name];
    else jar[c.name] = c.value;
  }
  return jar;
};
const header = (jar: Record<string, string>) => ({ cookie: Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ") });

describe("revealing an address on the case page", { timeout: 60_000 }, () => {
  it("redirects to the case, shows the address once to who revealed it, and a reload records nothing", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("reveal-reload-1", FLAGGED));
    for (const username of ["ann", "bob"]) await auth.addUser(CONSOLE, { username, role: "reviewer", password: `${username}-password-long` });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const signIn = async (username: string) => carried(await app.inject({ method: "POST", url: "/login", payload: { username, password: `${username}-password-long` } }), {});
    const reveals = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit WHERE action = 'reveal-url'")).rows[0]!.n;
    const shown = (page: string) => page.includes(`<code>${FLAGGED}</code>`);

    let jar = await signIn("ann");
    const page = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: header(jar) });
    expect(shown(page.body)).toBe(false);
    const posted = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/reveal`,
      headers: { ...header(jar), "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${encodeURIComponent(csrfOf(page.body))}&hash=${encodeURIComponent(urlHash(FLAGGED))}`,
    });
    // answered as the other forms are: a redirect to the case, the reveal recorded once
    expect(posted.statusCode, posted.body).toBe(303);
    expect(posted.headers.location).toBe(`/cases/${caseId}`);
    expect(shown(posted.body)).toBe(false);
    expect(await reveals()).toBe(1);
    const flash = carried(posted, jar);

    // the page the redirect opens shows it, once
    const after = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: header(flash) });
    expect(after.statusCode).toBe(200);
    expect(shown(after.body)).toBe(true);
    expect(after.body).toContain("The address is shown as text below; the reveal is in the audit trail.");
    // taken back where it was given: the cookie's own path (the case's address as the form's was written)
    const given = posted.cookies.find((c) => c.name !== "mt_session")!;
    expect(after.cookies.find((c) => c.name === given.name)).toMatchObject({ path: given.path, value: "" });
    jar = carried(after, flash);
    // a reload: the case without the address, and no reveal recorded
    const reload = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: header(jar) });
    expect(shown(reload.body)).toBe(false);
    expect(reload.body).not.toContain("The address is shown as text below");
    expect(await reveals()).toBe(1);

    // a case's number written with a leading zero is the same case: the cookie is taken back at that address too
    const zero = await app.inject({
      method: "POST",
      url: `/cases/0${caseId}/reveal`,
      headers: { ...header(jar), "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${encodeURIComponent(csrfOf(reload.body))}&hash=${encodeURIComponent(urlHash(FLAGGED))}`,
    });
    expect(zero.headers.location).toBe(`/cases/0${caseId}`);
    const zeroGiven = zero.cookies.find((c) => c.name === given.name)!;
    const zeroPage = await app.inject({ method: "GET", url: `/cases/0${caseId}`, headers: header(carried(zero, jar)) });
    expect(shown(zeroPage.body)).toBe(true);
    expect(zeroPage.cookies.find((c) => c.name === given.name)).toMatchObject({ path: zeroGiven.path, value: "" });
    expect(await reveals()).toBe(2);

    // what the browser carried to the redirect's page shows nothing to another reviewer, who revealed nothing, nor
    // an address its holder never revealed
    const bob = await signIn("bob");
    const replayed = { ...bob, ...Object.fromEntries(Object.entries(flash).filter(([k]) => k !== "mt_session")) };
    expect(Object.keys(replayed).length).toBeGreaterThan(1);
    expect(shown((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: header(replayed) })).body)).toBe(false);
    const forged = Object.fromEntries(Object.entries(flash).map(([k, v]) => [k, k === "mt_session" ? v : v.replace(encodeURIComponent(urlHash(FLAGGED)), encodeURIComponent(urlHash(SHOP))).replace(urlHash(FLAGGED), urlHash(SHOP))]));
    const forgedPage = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: header(forged) })).body;
    expect(forgedPage).not.toContain(`<code>${SHOP}</code>`);
    expect(await reveals()).toBe(2);
  });
});
