// What the reviewers' page and API let out of the process and to whom, on the embedded database (the same SQL as
// PostgreSQL): answers that are never kept in a browser's or a proxy's cache, and an admin withdrawing a user's
// access (someone who left: there was no way to, short of SQL, and their sessions and tokens went on working).
import { describe, expect, it } from "vitest";
import { urlHash, type Role } from "../src/cases/store.js";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { bearer, csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const FLAGGED = "https://gallery.flagged.example/p/1";

const openWeb = embeddedWeb();

async function setup(users: [string, Role][] = [["rev", "reviewer"]]) {
  const { db, auth, app } = await openWeb();
  const caseId = await recordCase(db, linkedToFlaggedAlert("priv-1", FLAGGED));
  const tokens: Record<string, { authorization: string }> = {};
  for (const [u, role] of users) tokens[u] = await bearer(auth, u, role);
  return { app, db, tokens, caseId };
}

describe("answers with case data", { timeout: 60_000 }, () => {
  it("are never stored by a browser or a proxy (Cache-Control: no-store)", async () => {
    const { app, tokens, caseId } = await setup();
    const auth = tokens.rev!;
    const answers = await Promise.all([
      app.inject({ method: "GET", url: `/cases/${caseId}`, headers: auth }),
      app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: auth }),
      app.inject({ method: "GET", url: `/cases/${caseId}/export.json`, headers: auth }),
      app.inject({ method: "POST", url: `/api/cases/${caseId}/reveal`, headers: auth, payload: { hash: urlHash(FLAGGED) } }),
      app.inject({ method: "GET", url: "/cases", headers: auth }),
    ]);
    for (const r of answers) {
      expect(r.statusCode).toBe(200);
      expect(r.headers["cache-control"]).toBe("no-store");
    }
    expect(answers[3]!.json()).toEqual({ url: FLAGGED });
  });
});

describe("an admin disabling a user", { timeout: 60_000 }, () => {
  it("ends their sessions and revokes their tokens at once, is audited, and can be undone; nobody else may", async () => {
    const { app, db, tokens, caseId } = await setup([
      ["rev", "reviewer"],
      ["adm", "admin"],
    ]);
    const as = (who: string) => tokens[who]!;
    const login = () => app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } });
    const signedIn = await login();
    const cookie = sessionOf(signedIn);
    expect((await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: as("rev") })).statusCode).toBe(200);

    // only an admin, and not on themselves
    expect((await app.inject({ method: "PATCH", url: "/api/users/adm", headers: as("rev"), payload: { disabled: true } })).statusCode).toBe(403);
    const self = await app.inject({ method: "PATCH", url: "/api/users/adm", headers: as("adm"), payload: { disabled: true } });
    expect(self.statusCode).toBe(400);
    expect(self.json().error).toContain("another admin");
    const bad = await app.inject({ method: "PATCH", url: "/api/users/rev", headers: as("adm"), payload: { disabled: "yes" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('{"disabled": true}');
    expect((await app.inject({ method: "PATCH", url: "/api/users/nobody", headers: as("adm"), payload: { disabled: true } })).statusCode).toBe(404);

    const off = await app.inject({ method: "PATCH", url: "/api/users/rev", headers: as("adm"), payload: { disabled: true } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ username: "rev", role: "reviewer", disabled: true });
    expect((await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: as("rev") })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: cookie })).statusCode).toBe(401);
    expect((await login()).statusCode).toBe(401);
    const audit = await db.query<{ action: string; actor: string; target: string; before: unknown; after: unknown; detail: unknown }>(
      "SELECT action, actor, target, before, after, detail FROM mt_audit WHERE action LIKE 'user-%able' ORDER BY audit_id",
    );
    expect(audit.rows).toEqual([{ action: "user-disable", actor: "adm", target: "rev", before: { disabled: false }, after: { disabled: true }, detail: { sessionsEnded: 1, tokensRevoked: 1 } }]);
    expect((await app.inject({ method: "GET", url: "/api/users", headers: as("adm") })).json()).toContainEqual({ username: "rev", role: "reviewer", disabled: true, tokens: 0, liveTokens: [] });

    // from the admin page: a button per other user (the admin's initial password taken as replaced)
    await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'adm'");
    const admin = await app.inject({ method: "POST", url: "/login", payload: { username: "adm", password: "adm-password-long" } });
    const admCookie = sessionOf(admin);
    const page = await app.inject({ method: "GET", url: "/admin", headers: admCookie });
    expect(page.body).toContain('action="/admin/users/rev"');
    expect(page.body).not.toContain('action="/admin/users/adm"');
    const csrf = csrfOf(page.body);
    const on = await app.inject({ method: "POST", url: "/admin/users/rev", headers: admCookie, payload: { _csrf: csrf, disabled: "false" } });
    expect(on.statusCode).toBe(200);
    expect(on.body).toContain("Enabled rev");
    expect((await login()).statusCode).toBe(303);
    // tokens issued before stay revoked
    expect((await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: as("rev") })).statusCode).toBe(401);
  });
});

describe("revealing an address", { timeout: 60_000 }, () => {
  it("without a hash is a 400 saying what to send, and audits nothing; a hash copied in capitals is the same address", async () => {
    const { app, db, tokens, caseId } = await setup();
    const auth = tokens.rev!;
    const reveal = (payload: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/reveal`, headers: auth, payload });
    const audited = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit WHERE action = 'reveal-url'")).rows[0]!.n;
    for (const payload of [{}, { hash: "" }, { hash: 7 }]) {
      const r = await reveal(payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatch(/^hash: .*the address's hash as the case page shows it/);
    }
    expect(await audited()).toBe(0);
    const upper = await reveal({ hash: urlHash(FLAGGED).toUpperCase() });
    expect(upper.statusCode).toBe(200);
    expect(upper.json()).toEqual({ url: FLAGGED });
    expect(await audited()).toBe(1);
  });
});

describe("the audit export's parameters", { timeout: 60_000 }, () => {
  it("an unknown one (a typo) is refused naming the parameters there are, as the queue's filters are", async () => {
    const { app, tokens } = await setup([["adm", "admin"]]);
    const r = await app.inject({ method: "GET", url: "/api/audit?afer=5", headers: tokens.adm! });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toContain("unknown parameter afer; the parameters are after, limit");
  });
});
