// A reviewer who filtered the queue (their acquirer, unassigned, 50 a page), opened a case and decided it, then went
// back with the header's "Case queue", got the whole queue again, 25 a page, and chose the filters anew, case after
// case. The queue now keeps the browser's last filters: /cases (the header's link, a bookmark) goes to them, the
// form shows them, and "Clear filters" goes back to the default. Where in the list they were is the link's own
// (page=, after=), not kept. They are the user's who chose them (kept through a session that ended); a sign-out
// forgets them: the next person at the desk starts afresh.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

/** The cookies an answer sets, name=value, as the browser's next request carries them. */
const cookiesOf = (r: { cookies: { name: string; value: string }[] }, before: Record<string, string>) => {
  const jar = { ...before };
  for (const c of r.cookies) if (c.value === "") delete jar[c.name];
  else jar[c.name] = c.value;
  return jar;
};
const header = (jar: Record<string, string>) => ({ cookie: Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ") });

describe("the queue's filters", { timeout: 60_000 }, () => {
  it("are kept when the reviewer comes back to the queue, until cleared or signed out", async () => {
    const { db, auth, app } = await openWeb();
    await recordCase(db, caseAlert({ alertId: "kept-q-1", merchantId: "acq-a:M-1" }));
    await recordCase(db, caseAlert({ alertId: "kept-q-2", merchantId: "acq-b:M-2" }));
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    let jar: Record<string, string> = cookiesOf(await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } }), {});
    expect(jar.mt_session).toBeDefined();
    const get = async (url: string) => {
      const r = await app.inject({ method: "GET", url, headers: header(jar) });
      jar = cookiesOf(r, jar);
      return r;
    };

    // filtered, on its second page
    const filtered = await get("/cases?typology=excessive-disputes&assignee=unassigned&pageSize=50&page=2");
    expect(filtered.statusCode).toBe(200);
    // a case opened, then back by the header's link
    await get("/cases/1");
    const back = await get("/cases");
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe("/cases?typology=excessive-disputes&assignee=unassigned&pageSize=50");
    const shown = (await get(back.headers.location!)).body;
    expect(shown).toContain('<option value="unassigned" selected>');
    expect(shown).toContain('<option value="50" selected>');
    // cleared: the default queue (the page size kept: how the list is shown, not which cases), and /cases stays there
    expect(shown).toContain('<a href="/cases?status=active&amp;pageSize=50">Clear filters</a>');
    expect((await get("/cases?status=active")).statusCode).toBe(200);
    expect((await get("/cases")).headers.location).toBe("/cases?status=active");

    // a refused filter is not kept
    await get("/cases?acquirer=acq-a");
    expect((await get("/cases?status=nonsense")).statusCode).toBe(400);
    expect((await get("/cases")).headers.location).toBe("/cases?acquirer=acq-a");

    // filters an earlier version took and this one does not: dropped, not refused at every visit
    jar.mt_queue = "status=retired&for=rev";
    const old = await get("/cases");
    expect(old.statusCode).toBe(200);
    expect(jar.mt_queue).toBeUndefined();

    // signed out and in again: forgotten
    await get("/cases?acquirer=acq-a");
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await get("/cases?acquirer=acq-a")).body)![1]!;
    jar = cookiesOf(await app.inject({ method: "POST", url: "/logout", headers: { ...header(jar), "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${csrf}` }), jar);
    jar = cookiesOf(await app.inject({ method: "POST", url: "/login", headers: header(jar), payload: { username: "rev", password: "rev-password-long" } }), jar);
    expect(jar.mt_queue).toBeUndefined();
    const fresh = await get("/cases");
    expect(fresh.statusCode).toBe(200);
    expect(fresh.body).toContain("2 cases");

    // another user signing in at the desk where rev's session ended (no sign-out) does not get rev's filters
    await get("/cases?acquirer=acq-a");
    await auth.addUser(CONSOLE, { username: "ann", role: "reviewer", password: "ann-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    jar = cookiesOf(await app.inject({ method: "POST", url: "/login", headers: header(jar), payload: { username: "ann", password: "ann-password-long" } }), jar);
    expect((await get("/cases")).statusCode).toBe(200);
  });
});
