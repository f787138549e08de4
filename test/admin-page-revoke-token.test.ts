// A SIEM script's token pasted into a ticket: the admin page listed each user's live tokens (id, label, expiry) but
// offered no way to revoke one; only DELETE /api/tokens/ID with the session's CSRF token in a header, which a browser
// user cannot send. Each listed token now has a Revoke button: the token stops at once, audited, and the page says so.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the admin page", { timeout: 60_000 }, () => {
  it("revokes a listed API token with its button", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    await auth.addUser(CONSOLE, { username: "siem", role: "admin", password: "siem-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const t = await auth.createToken(CONSOLE, "siem", "siem-script");
    const kept = await auth.createToken(CONSOLE, "siem", "other");
    const s = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ada", password: "ada-password-long" } }));
    const page = (await app.inject({ method: "GET", url: "/admin", headers: s })).body;
    expect(page).toContain(`action="/admin/tokens/${t.id}/revoke"`);

    const r = await app.inject({
      method: "POST",
      url: `/admin/tokens/${t.id}/revoke`,
      headers: { ...s, "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${csrfOf(page)}`,
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`Revoked API token ${t.id} of siem: it stops working at once.`);
    expect(r.body).not.toContain(`action="/admin/tokens/${t.id}/revoke"`);
    expect((await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${t.token}` } })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${kept.token}` } })).statusCode).toBe(200);
    const rows = await db.query("SELECT actor, target, before FROM mt_audit WHERE action = 'token-revoke'");
    expect(rows.rows).toEqual([{ actor: "ada", target: "siem", before: { id: t.id } }]);
  });
});
