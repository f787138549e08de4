// A bank's SIEM pulls the audit trail (GET /api/audit) with an API token, but only the admin role could read it, so
// the collector's token could also add and disable users, reset passwords and revoke tokens. The auditor role reads
// the audit trail export and nothing else: added by an admin (API or page), refused every case, rule and user route,
// and at sign-in sent to a page that says what it may do and where the export is.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { bearer, csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const openWeb = embeddedWeb();
const rulesDir = defaultRulesCopies("auditor-role");

describe("the auditor role", { timeout: 60_000 }, () => {
  it("is added by an admin and reads the audit export with its token, and nothing else", async () => {
    const { auth, app } = await openWeb({ rulesDir: rulesDir() });
    const admin = await bearer(auth, "ada", "admin");
    const added = await app.inject({ method: "POST", url: "/api/users", headers: admin, payload: { username: "siem", role: "auditor" } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ username: "siem", role: "auditor" });
    const siem = { authorization: `Bearer ${(await auth.createToken(CONSOLE, "siem", "collector")).token}` };

    const audit = await app.inject({ method: "GET", url: "/api/audit", headers: siem });
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.headers["content-type"]).toContain("application/x-ndjson");
    const rows = audit.body.trim().split("\n").map((l) => JSON.parse(l) as { action: string; target: string });
    expect(rows).toContainEqual(expect.objectContaining({ action: "user-add", target: "siem" }));

    for (const [method, url] of [
      ["GET", "/api/cases"],
      ["GET", "/api/cases/1"],
      ["GET", "/api/rules"],
      ["GET", "/api/users"],
      ["POST", "/api/users"],
      ["DELETE", "/api/tokens/0123456789ab"],
      ["GET", "/admin"],
      ["POST", "/admin/users"],
      ["POST", "/admin/users/ada"],
      ["POST", "/admin/users/ada/password"],
      ["POST", "/admin/tokens/0123456789ab/revoke"],
    ] as const) {
      const r = await app.inject({ method, url, headers: siem, payload: method === "GET" ? undefined : {} });
      expect(r.statusCode, `${method} ${url}`).toBe(403);
    }
    const refused = await app.inject({ method: "GET", url: "/api/cases", headers: siem });
    expect(refused.json().error).toMatch(/^siem is an auditor; this needs the reviewer role \(cases:read\)\./);
  });

  it("is offered by the admin page, and an auditor signing in lands on a page about the audit export", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const a = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ada", password: "ada-password-long" } }));
    const page = (await app.inject({ method: "GET", url: "/admin", headers: a })).body;
    // each role says what it may do: an admin adding a SIEM's account sees that an auditor reads the trail and no case
    expect(page).toContain('<option value="auditor">auditor: reads the audit trail export (GET /api/audit) and nothing else</option>');
    expect(page).toContain('<option value="reviewer">reviewer: sees and works cases, and reads the review report</option>');
    const add = await app.inject({
      method: "POST",
      url: "/admin/users",
      headers: { ...a, "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${csrfOf(page)}&username=audra&role=auditor`,
    });
    expect(add.statusCode, add.body).toBe(200);
    expect(add.body).toContain("Added audra (auditor)");

    await db.query("UPDATE mt_users SET password_change_required = false, password_hash = (SELECT password_hash FROM mt_users WHERE username = 'ada') WHERE username = 'audra'");
    const signedIn = await app.inject({ method: "POST", url: "/login", payload: { username: "audra", password: "ada-password-long" } });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe("/audit");
    const s = sessionOf(signedIn);
    expect((await app.inject({ method: "GET", url: "/", headers: s })).headers.location).toBe("/audit");
    const home = await app.inject({ method: "GET", url: "/audit", headers: s });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('href="/api/audit"');
    expect(home.body).toContain("moneytrail users token audra");
    expect(home.body).toMatch(/no cases, no rules, no users/);
    // the header links the role's own page, as it does each other role's
    expect(home.body).toMatch(/<header>.*<a href="\/audit">Audit trail<\/a>.*<\/header>/s);
    // the export itself, from the signed-in browser
    expect((await app.inject({ method: "GET", url: "/api/audit", headers: s })).statusCode).toBe(200);
    // an admin may open the page too, and is not told they are an auditor
    const admin = await app.inject({ method: "GET", url: "/audit", headers: a });
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('href="/api/audit"');
    expect(admin.body).not.toContain("an auditor");
    // the queue and the admin page stay refused
    expect((await app.inject({ method: "GET", url: "/cases", headers: s })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: "/admin", headers: s })).statusCode).toBe(403);
  });
});
