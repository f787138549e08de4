// Who sees what of a case, and what the trail keeps, on the real PostgreSQL and on the embedded PGlite: evidence
// addresses masked in the JSON API as on the page (in full only through the audited reveal or case-file export),
// the queue's filters validated, failed sign-ins, sign-outs and audit-trail exports in the trail, API tokens only for
// oneself, initial passwords replaced at the first sign-in, and reveals' and exports' audit rows written in the
// transaction that read the case.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Db, Queryable } from "../../src/cases/db.js";
import { recordAlerts } from "../../src/cases/record.js";
import { CONSOLE, CaseStore, evidenceUrls, urlHash, type AuditRow, type CaseRow } from "../../src/cases/store.js";
import type { MaskedCaseDetail } from "../../src/cases/mask.js";
import { Auth, PERMISSIONS } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { urlHost } from "../../src/lib/url.js";
import type { Alert } from "../../src/decode/events.js";
import { bothDatabases, replayAlerts, usersWithTokens } from "./harness.js";

let sample: Alert[];
beforeAll(async () => {
  sample = await replayAlerts();
});

const acquirerOf = (alerts: Alert[]) => (m: string) => alerts.find((a) => a.merchantId === m)?.context?.profile?.acquirerId;

/** The real database, with every statement a store sends recorded: straight to the database or inside db.tx. */
function recording(db: Db): { db: Db; direct: string[]; inTx: string[] } {
  const direct: string[] = [];
  const inTx: string[] = [];
  return {
    direct,
    inTx,
    db: {
      query: <R>(text: string, params?: unknown[]) => (direct.push(text), db.query<R>(text, params)),
      tx: (work) => db.tx((q) => work({ query: <R>(text: string, params?: unknown[]) => (inTx.push(text), q.query<R>(text, params)) } as Queryable)),
      close: () => db.close(),
    },
  };
}

describe.each(bothDatabases("cases-access"))("case access on %s", (_name, open) => {
  let db: Db;
  let app: FastifyInstance;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await open();
    await db.tx((q) => recordAlerts(q, sample, { acquirerOf: acquirerOf(sample), webhooks: false }));
    tokens = await usersWithTokens(db, [["rev", "reviewer"], ["rev2", "reviewer"], ["adm", "admin"]] as const);
    app = await buildWebServer({ db, log: createLogger("silent" as "fatal") });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const get = (url: string, who = "rev") => app.inject({ method: "GET", url, headers: as(who) });
  const login = (username: string, password: string) => app.inject({ method: "POST", url: "/login", payload: { username, password } });
  const cookieOf = (r: LightMyRequestResponse) => ({ cookie: `mt_session=${r.cookies.find((c) => c.name === "mt_session")!.value}` });
  const csrfOn = async (url: string, headers: Record<string, string>) => /name="_csrf" value="([^"]+)"/.exec((await app.inject({ method: "GET", url, headers })).body)![1]!;
  const trail = async () =>
    (await db.query<{ actor: string; role: string; action: string; case_id: string | null; target: string | null; detail: unknown }>("SELECT actor, role, action, case_id::text AS case_id, target, detail FROM mt_audit ORDER BY audit_id")).rows;
  const caseOf = async (merchantId: string) => {
    const q = (await get("/api/cases?status=all&pageSize=200")).json<{ rows: CaseRow[] }>();
    return q.rows.find((r) => r.merchantId === merchantId)!;
  };
  /** The merchant whose alerts carry the most addresses (profile websites and events' URLs), and those addresses. */
  const richest = () => {
    const urls = new Map<string, Set<string>>();
    for (const a of sample) for (const u of a.context ? evidenceUrls(a.context) : []) urls.set(a.merchantId, (urls.get(a.merchantId) ?? new Set()).add(u));
    const [merchantId, set] = [...urls].sort((a, b) => b[1].size - a[1].size)[0]!;
    return { merchantId, urls: [...set] };
  };

  it("GET /api/cases/:id shows each evidence address as host and hash, as the page does, and never the URL", async () => {
    const { merchantId, urls } = richest();
    expect(urls.length).toBeGreaterThan(2);
    const c = await caseOf(merchantId);
    const r = await get(`/api/cases/${c.caseId}`);
    expect(r.statusCode).toBe(200);
    for (const u of urls) {
      expect(r.body).not.toContain(u);
      expect(r.body).toContain(urlHash(u));
    }
    expect(r.body).not.toMatch(/https?:\/\//);
    const d = r.json<MaskedCaseDetail>();
    const site = sample.find((a) => a.merchantId === merchantId && a.context?.profile)!.context!.profile!.websites[0]!;
    expect(d.context.profile!.websites).toContainEqual({ host: urlHost(site), sha256: urlHash(site) });
    // the alerts' own contexts too
    const linked = d.alerts.flatMap((a) => a.context?.events ?? []).flatMap((e) => [e.url, e.checkoutUrl, e.referrerUrl, ...(e.linkedUrls ?? [])]).filter((u) => u !== undefined);
    expect(linked.length).toBeGreaterThan(0);
    for (const m of linked) expect(m).toEqual({ host: expect.any(String), sha256: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // the page shows the same host and hash, and no address in full, not even inside a rule's explanation
    const page = (await get(`/cases/${c.caseId}`)).body;
    for (const u of urls) expect(page).not.toContain(u);
    expect(page).toContain(`${urlHost(site)} <span class="hash" title="${urlHash(site)}">`);
    // and the hash is what the audited reveal takes
    const reveal = await app.inject({ method: "POST", url: `/api/cases/${c.caseId}/reveal`, headers: as("rev"), payload: { hash: linked[0]!.sha256 } });
    expect(urls).toContain(reveal.json().url);
    expect((await trail()).at(-1)).toMatchObject({ action: "reveal-url", actor: "rev", target: linked[0]!.sha256 });
  });

  it("exports full addresses only in the case file, whose audit row names each one's hash; the printable file and the audit CSV show none", async () => {
    const { merchantId, urls } = richest();
    const c = await caseOf(merchantId);
    const file = await get(`/api/cases/${c.caseId}/export`);
    for (const u of urls) expect(file.body).toContain(u);
    const row = (await trail()).at(-1)!;
    expect(row).toMatchObject({ action: "export", actor: "rev", detail: { form: "json" } });
    expect(new Set((row.detail as { urls: string[] }).urls)).toEqual(new Set(urls.map(urlHash)));
    const print = await get(`/cases/${c.caseId}/print`);
    for (const u of urls) expect(print.body).not.toContain(u);
    expect((await trail()).at(-1)).toMatchObject({ action: "export", actor: "rev", detail: { form: "print" } });
    const csv = await get(`/cases/${c.caseId}/audit.csv`);
    expect(csv.body).not.toMatch(/https?:\/\//);
  });

  it("refuses an unknown status, filter or page with 400 and the values it takes", async () => {
    for (const q of ["status=bogus", "status=in-review"]) {
      const r = await get(`/api/cases?${q}`);
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error).toBe("status: expected one of active, all, open, in_review, escalated, reported, dismissed, account_closed");
    }
    const typo = await get("/api/cases?stauts=open");
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toContain("the filters are status, typology, acquirer, merchant, assignee, page, pageSize");
    for (const q of ["page=0", "page=two", "pageSize=1000", "pageSize=0", "pageSize=0x10", "page=1e3"]) expect((await get(`/api/cases?${q}`)).statusCode, q).toBe(400);
    expect((await get("/api/cases?pageSize=0x10")).json().error).toBe("pageSize: expected a whole number from 1 to 200");
    expect((await get("/api/audit?limit=1e3", "adm")).json().error).toBe("limit: expected a whole number from 1 to 10000");
    expect((await get("/api/cases?status=in_review&pageSize=200&page=1")).statusCode).toBe(200);
    // a form's "any" is an empty value: no filter
    expect((await get("/api/cases?status=&typology=&acquirer=&assignee=")).json().total).toBe((await get("/api/cases")).json().total);
    const page = await get("/cases?status=in-review");
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain("in_review");
    expect((await get("/api/audit?after=x", "adm")).statusCode).toBe(400);
  });

  it("records failed sign-ins (the name tried, never the password), sign-outs and every export of the audit trail", async () => {
    expect((await login("rev", "not-rev-password-1")).statusCode).toBe(401);
    expect((await login("no-such-user", "not-anyone-password-2")).statusCode).toBe(401);
    const failed = (await trail()).filter((r) => r.action === "login-failed");
    expect(failed.slice(-2)).toMatchObject([
      { actor: "anonymous", role: "anonymous", target: "rev" },
      // a name that is no user's is not kept: it may be a password typed in the wrong field
      { actor: "anonymous", role: "anonymous", target: null, detail: { name: "not a user" } },
    ]);
    expect(JSON.stringify(await trail())).not.toMatch(/not-rev-password-1|not-anyone-password-2/);

    const session = cookieOf(await login("rev2", "rev2-password-long"));
    const out = await app.inject({ method: "POST", url: "/logout", headers: session });
    expect(out.statusCode).toBe(303);
    expect((await trail()).at(-1)).toMatchObject({ action: "logout", actor: "rev2", role: "reviewer" });
    expect((await app.inject({ method: "GET", url: "/api/me", headers: session })).statusCode).toBe(401);
    // a sign-out without a live session names nobody
    const n = (await trail()).length;
    await app.inject({ method: "POST", url: "/logout", headers: session });
    expect((await trail()).length).toBe(n);

    const id = (await get("/api/cases")).json<{ rows: CaseRow[] }>().rows[0]!.caseId;
    await app.inject({ method: "POST", url: `/api/cases/${id}/comments`, headers: as("rev"), payload: { body: "so the case has a trail" } });
    const json = await get(`/api/cases/${id}/audit`);
    expect((await trail()).at(-1)).toMatchObject({ action: "audit-export", actor: "rev", case_id: id, detail: { form: "json", rows: json.json<AuditRow[]>().length } });
    await get(`/cases/${id}/audit.csv`);
    expect((await trail()).at(-1)).toMatchObject({ action: "audit-export", actor: "rev", case_id: id, detail: { form: "csv" } });
    const all = await get("/api/audit", "adm");
    const rows = all.body.trim().split("\n").length;
    expect((await trail()).at(-1)).toMatchObject({ action: "audit-export", actor: "adm", case_id: null, detail: { form: "ndjson", after: null, rows } });
    // paging until an empty page ends: a page of only one's own export rows is not recorded again
    let after = JSON.parse(all.body.trim().split("\n").at(-1)!).auditId as string;
    let pages = 0;
    for (;;) {
      const page = (await get(`/api/audit?after=${after}`, "adm")).body.trim();
      if (!page) break;
      after = JSON.parse(page.split("\n").at(-1)!).auditId;
      expect(++pages).toBeLessThan(3);
    }
  });

  it("stops checking, and recording, wrong passwords for a name after five, and from one address after twenty", async () => {
    const from = (remoteAddress: string, username: string, password: string) =>
      app.inject({ method: "POST", url: "/login", payload: { username, password }, remoteAddress });
    const failedFor = async (name: string) => (await trail()).filter((r) => r.action === "login-failed" && r.target === name).length;
    await new Auth(db).addUser(CONSOLE, { username: "held", role: "reviewer", password: "held-password-long" });
    for (let i = 0; i < 5; i++) expect((await from("192.0.2.10", "held", `wrong-password-${i}-x`)).statusCode).toBe(401);
    // the right password too is refused now, unchecked and unrecorded, whatever the address
    const held = await from("192.0.2.11", "held", "held-password-long");
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers["retry-after"])).toBeGreaterThan(800);
    expect(held.body).toMatch(/try again in 15 minutes\./);
    expect(await failedFor("held")).toBe(5);
    // other names are not held
    expect((await from("192.0.2.10", "adm", "adm-password-long")).statusCode).toBe(303);
    // one address trying many names: held after twenty, whichever name it tries next
    const unknownBefore = (await trail()).filter((r) => r.action === "login-failed" && r.target === null).length;
    for (let i = 0; i < 20; i++) expect((await from("192.0.2.12", `guess-${i}`, "not-a-password-x")).statusCode).toBe(401);
    expect((await from("192.0.2.12", "adm", "adm-password-long")).statusCode).toBe(429);
    expect((await trail()).filter((r) => r.action === "login-failed" && r.target === null).length - unknownBefore).toBe(20);
    expect(JSON.stringify(await trail())).not.toContain("guess-");
    expect((await from("192.0.2.13", "adm", "adm-password-long")).statusCode).toBe(303);
  });

  it("behind a trusted proxy, counts each client by its forwarded address and sends the cookie over HTTPS only", async () => {
    const proxied = await buildWebServer({ db, log: createLogger("silent" as "fatal"), trustProxy: ["127.0.0.1"] });
    try {
      const via = (client: string, username: string, password: string) =>
        proxied.inject({ method: "POST", url: "/login", payload: { username, password }, remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": client } });
      for (let i = 0; i < 20; i++) expect((await via("198.51.100.7", `proxied-guess-${i}`, "not-a-password-x")).statusCode).toBe(401);
      expect((await via("198.51.100.7", "adm", "adm-password-long")).statusCode).toBe(429);
      // another client through the same proxy is not held
      const ok = await via("198.51.100.8", "adm", "adm-password-long");
      expect(ok.statusCode).toBe(303);
      expect(ok.cookies.find((c) => c.name === "__Host-mt_session")).toMatchObject({ secure: true, httpOnly: true, path: "/" });
    } finally {
      await proxied.close();
    }
    // without a trusted proxy the cookie also goes over plain HTTP (a page on 127.0.0.1)
    expect((await login("adm", "adm-password-long")).cookies.find((c) => c.name === "mt_session")?.secure).toBeFalsy();
  });

  it("creates API tokens through the web and API only for the signed-in user, never for someone else to act as", async () => {
    const forOther = await app.inject({ method: "POST", url: "/api/users/rev/tokens", headers: as("adm"), payload: { label: "x" } });
    expect(forOther.statusCode).toBe(403);
    expect(forOther.json().error).toContain("moneytrail users token rev");
    const formForOther = await app.inject({ method: "POST", url: "/admin/tokens", headers: as("adm"), payload: { username: "rev", label: "x" } });
    expect(formForOther.statusCode).toBe(403);
    expect((await trail()).filter((r) => r.action === "token-create" && r.actor === "adm")).toEqual([]);
    const auth = new Auth(db);
    const own = await app.inject({ method: "POST", url: "/api/users/adm/tokens", headers: as("adm"), payload: { label: "mine" } });
    expect(own.statusCode).toBe(201);
    // the token acts as adm, and its rows in the audit trail name it (its id and label)
    expect(await auth.byToken(own.json().token)).toEqual({ username: "adm", role: "admin", credential: { token: own.json().id, name: "mine" } });
    const form = await app.inject({ method: "POST", url: "/admin/tokens", headers: as("adm"), payload: { label: "from the page" } });
    expect(form.statusCode).toBe(200);
    expect(await auth.byToken(/shown once: (mt_[\w-]+)/.exec(form.body)![1]!)).toMatchObject({ username: "adm", role: "admin", credential: { name: "from the page" } });
    // the page says the expiry as every other time on it is said, in UTC by name
    expect(form.body).toMatch(/expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, shown once/);
    // an admin still revokes anyone's token
    const revs = await auth.createToken(CONSOLE, "rev2", "to revoke");
    expect((await app.inject({ method: "DELETE", url: `/api/tokens/${revs.id}`, headers: as("adm") })).statusCode).toBe(204);
  });

  it("makes an initial password one-time: its session must set a new one before anything else, and then it stops working", async () => {
    const u = await new Auth(db).addUser(CONSOLE, { username: "newbie", role: "reviewer" });
    const first = await login("newbie", u.password);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe("/password");
    const session = cookieOf(first);
    const api = await app.inject({ method: "GET", url: "/api/cases", headers: session });
    expect(api.statusCode).toBe(403);
    expect(api.json().error).toContain("POST /api/me/password");
    expect((await app.inject({ method: "GET", url: "/cases", headers: session })).headers.location).toBe("/password");
    const csrf = await csrfOn("/password", session);
    const act = await app.inject({ method: "POST", url: "/cases/1/comment", headers: session, payload: { _csrf: csrf, body: "before my own password" } });
    expect(act.statusCode).toBe(403);
    // a second session opened with the initial password (by whoever else knew it) ends with the change
    const other = cookieOf(await login("newbie", u.password));
    const change = (fields: Record<string, string>) => app.inject({ method: "POST", url: "/password", headers: session, payload: { _csrf: csrf, ...fields } });
    const wrong = await change({ currentPassword: "not-the-initial-one", newPassword: "newbie-own-password", confirmPassword: "newbie-own-password" });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain("not your current password");
    expect((await change({ currentPassword: u.password, newPassword: "short", confirmPassword: "short" })).body).toContain("at least 12 characters");
    expect((await change({ currentPassword: u.password, newPassword: "newbie-own-password", confirmPassword: "newbie-own-passwort" })).statusCode).toBe(400);
    const ok = await change({ currentPassword: u.password, newPassword: "newbie-own-password", confirmPassword: "newbie-own-password" });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe("/cases");
    expect((await app.inject({ method: "GET", url: "/api/cases", headers: session })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/api/cases", headers: other })).statusCode).toBe(401);
    expect((await login("newbie", u.password)).statusCode).toBe(401);
    const again = await login("newbie", "newbie-own-password");
    expect(again.headers.location).toBe("/cases");
    const stored = (await db.query<{ password_hash: string }>("SELECT password_hash FROM mt_users WHERE username = 'newbie'")).rows[0]!.password_hash;
    expect(stored).toMatch(/^\$scrypt\$ln=\d+,r=\d+,p=\d+\$[^$]+\$[^$]+$/);
    const rows = await trail();
    expect(rows.filter((r) => r.action === "password-change")).toMatchObject([{ actor: "newbie", role: "reviewer", target: "newbie" }]);
    expect(JSON.stringify(rows)).not.toContain("newbie-own-password");
    expect(JSON.stringify(rows)).not.toContain(u.password);
  });

  it("changes a password by the JSON API, checking the current one", async () => {
    const change = (body: object) => app.inject({ method: "POST", url: "/api/me/password", headers: as("rev2"), payload: body });
    expect((await change({ currentPassword: "wrong-password-here", newPassword: "rev2-own-password" })).statusCode).toBe(403);
    const short = await change({ currentPassword: "rev2-password-long", newPassword: "short" });
    expect(short.statusCode).toBe(400);
    expect(short.json().error).toBe("newPassword: at least 12 characters");
    expect((await change({ currentPassword: "rev2-password-long", newPassword: "rev2-password-long" })).statusCode).toBe(400);
    expect((await change({ currentPassword: "rev2-password-long", newPassword: "rev2-own-password" })).statusCode).toBe(200);
    expect((await login("rev2", "rev2-password-long")).statusCode).toBe(401);
    expect((await login("rev2", "rev2-own-password")).headers.location).toBe("/cases");
    expect((await trail()).filter((r) => r.action === "password-change").at(-1)).toMatchObject({ actor: "rev2", target: "rev2" });
  });

  it("writes the audit row of a reveal and of each export in the transaction that read the case", async () => {
    const rec = recording(db);
    const store = new CaseStore(rec.db, PERMISSIONS["cases:act"]);
    const rev = { username: "rev", role: "reviewer" } as const;
    const { merchantId, urls } = richest();
    const c = await caseOf(merchantId);
    const inOne = async (what: string, run: () => Promise<unknown>) => {
      rec.direct.length = 0;
      rec.inTx.length = 0;
      await run();
      expect(rec.direct, what).toEqual([]);
      expect(rec.inTx.some((s) => s.startsWith("SELECT") && s.includes("FROM mt_cases")), what).toBe(true);
      expect(rec.inTx.filter((s) => s.startsWith("INSERT INTO mt_audit")), what).toHaveLength(1);
    };
    await inOne("reveal", () => store.revealUrl(c.caseId, rev, { hash: urlHash(urls[0]!) }));
    await inOne("export", () => store.exportCase(c.caseId, rev));
    await inOne("print", () => store.printCase(c.caseId, rev));
    await inOne("audit export", () => store.exportAudit(rev, "json", { caseId: c.caseId }));
    const withInd = sample.find((a) => a.signals.some((s) => s.evidence.indicators?.length))!;
    const closed = await caseOf(withInd.merchantId);
    await store.act(closed.caseId, rev, { action: "assign" });
    await store.act(closed.caseId, rev, { action: "report", reportRef: "HOTLINE-2026-0100" });
    await inOne("sightings", () => store.sightings(closed.caseId, rev, { id: "member:test" }));
  });
});
