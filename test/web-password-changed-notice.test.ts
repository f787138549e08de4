// After a user set their password (an initial or reset one, replaced at the first sign-in) or changed it, the form
// went on to the start page, which said nothing: the user could not tell that it took. An admin's reset said it in
// words of its own. Each now says "Password changed for NAME" as a notice, like the pages' other notices: the
// start page (or the case a kept form goes back to) once after the change, not on a reload; the admin page at once.
import { describe, expect, it } from "vitest";
import { CONSOLE, type Role } from "../src/cases/store.js";
import { csrfOf, embeddedWeb, sessionOf, type EmbeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

const signIn = async (web: EmbeddedWeb, username: string, password: string) => {
  const r = await web.app.inject({ method: "POST", url: "/login", payload: { username, password } });
  expect(r.statusCode, r.body).toBe(303);
  return { session: sessionOf(r), location: r.headers.location };
};
const setPassword = async (web: EmbeddedWeb, session: { cookie: string }, currentPassword: string, newPassword: string) => {
  const csrf = csrfOf((await web.app.inject({ method: "GET", url: "/password", headers: session })).body);
  return web.app.inject({ method: "POST", url: "/password", headers: session, payload: { _csrf: csrf, currentPassword, newPassword, confirmPassword: newPassword } });
};
// the page a redirect leads to, as the browser follows it (with the cookies the answer set)
const follow = async (web: EmbeddedWeb, r: Awaited<ReturnType<typeof setPassword>>, session: { cookie: string }) => {
  expect(r.statusCode, r.body).toBe(303);
  const set = r.cookies.map((c) => `${c.name}=${c.value}`);
  const url = r.headers.location as string;
  return { url, ...(await web.app.inject({ method: "GET", url, headers: { cookie: [session.cookie, ...set].join("; ") } })) };
};
const NOTICE = (name: string) => `<p class="notice" id="flash" role="status">Password changed for ${name}.`;

describe("a password set or changed", { timeout: 60_000 }, () => {
  for (const role of ["reviewer", "auditor", "admin"] as Role[])
    it(`says so on the ${role}'s start page, once`, async () => {
      const web = await openWeb();
      await web.auth.addUser(CONSOLE, { username: "ann", role, password: "ann-initial-password" });
      const { session, location } = await signIn(web, "ann", "ann-initial-password");
      expect(location).toBe("/password");
      // the initial password replaced
      const home = await follow(web, await setPassword(web, session, "ann-initial-password", "ann-own-password-long"), session);
      expect(home.statusCode, home.body).toBe(200);
      expect(home.body).toContain(NOTICE("ann"));
      // the page takes the notice's cookie back: a reload says nothing again
      expect(home.cookies.find((c) => c.name === "mt_flash")?.maxAge).toBe(0);
      const reload = await web.app.inject({ method: "GET", url: home.url, headers: session });
      expect(reload.statusCode).toBe(200);
      expect(reload.body).not.toContain("Password changed");
      // a change of one's own later
      const again = await follow(web, await setPassword(web, session, "ann-own-password-long", "ann-next-password-long"), session);
      expect(again.body).toContain(NOTICE("ann"));
      // "/", which only redirects to the start page, leaves the notice to it
      const viaRoot = await web.app.inject({ method: "GET", url: "/", headers: { cookie: `${session.cookie}; mt_flash=password` } });
      expect(viaRoot.cookies.find((c) => c.name === "mt_flash")).toBeUndefined();
    });

  it("by an admin's reset says so on the admin page, with the one-time password", async () => {
    const web = await openWeb();
    await web.auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    await web.db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'ada'");
    await web.auth.addUser(CONSOLE, { username: "bob", role: "reviewer", password: "bob-password-long" });
    const { session } = await signIn(web, "ada", "ada-password-long");
    const csrf = csrfOf((await web.app.inject({ method: "GET", url: "/admin", headers: session })).body);
    const r = await web.app.inject({ method: "POST", url: "/admin/users/bob/password", headers: session, payload: { _csrf: csrf } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toMatch(/<p class="notice" id="notice">Password changed for bob: reset to a one-time password, shown once \(bob replaces it at the next sign-in\)\. Signed out everywhere \(0 sessions\), 0 API tokens revoked\. One-time password: \S+<\/p>/);
  });
});
