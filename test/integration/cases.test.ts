// The case queue's API on the real PostgreSQL and on the embedded PGlite (the same SQL): queue order and filters,
// the workflow with its audit trail, reveal and export, access by role (every guarded route, every role), CSRF,
// and the rule tuner's change with its refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { serverDb, type Db } from "../../src/cases/db.js";
import { testDb } from "../helpers/db.js";
import { recordAlerts } from "../../src/cases/record.js";
import { CONSOLE, ROLES, urlHash, type CaseRow, type Role } from "../../src/cases/store.js";
import type { MaskedCaseDetail } from "../../src/cases/mask.js";
import { stixIndicatorId, validateStixBundle } from "../../src/indicators/stix.js";
import type { MispSighting } from "../../src/indicators/misp.js";
import { Auth, PERMISSIONS, can } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { fileVersion } from "../../src/rules/history.js";
import type { Alert, IndicatorRef } from "../../src/decode/events.js";
import { freshNames, freshSchema, replayAlerts } from "./harness.js";

let sample: Alert[];
beforeAll(async () => {
  sample = await replayAlerts();
});

const acquirerOf = (alerts: Alert[]) => (m: string) => alerts.find((a) => a.merchantId === m)?.context?.profile?.acquirerId;

async function realPg(): Promise<Db> {
  return serverDb(await freshSchema(freshNames("cases")));
}

describe.each([
  ["PostgreSQL", realPg],
  ["embedded PGlite", () => testDb()],
] as const)("case queue on %s", (_name, open) => {
  let db: Db;
  let app: FastifyInstance;
  let rulesDir: string;
  const tokens = {} as Record<Role | "reviewer2", string>;

  beforeAll(async () => {
    db = await open();
    await db.tx((q) => recordAlerts(q, sample, { acquirerOf: acquirerOf(sample), webhooks: false }));
    const auth = new Auth(db);
    for (const [u, role] of [["rev", "reviewer"], ["rev2", "reviewer"], ["tuner", "rule-tuner"], ["adm", "admin"], ["aud", "auditor"]] as const) {
      await auth.addUser(CONSOLE, { username: u, role, password: `${u}-password-long` });
      tokens[u === "rev" ? "reviewer" : u === "rev2" ? "reviewer2" : role] = (await auth.createToken(CONSOLE, u, "test")).token;
    }
    rulesDir = mkdtempSync(join(tmpdir(), "mt-rules-test-"));
    cpSync(DEFAULT_RULES, rulesDir, { recursive: true });
    app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  const as = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });
  const get = async <T>(url: string, who: keyof typeof tokens = "reviewer") => {
    const r = await app.inject({ method: "GET", url, headers: as(who) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<T>();
  };
  const act = (id: string, body: unknown, who: keyof typeof tokens = "reviewer") =>
    app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: as(who), payload: body as object });
  const queue = (q = "") => get<{ rows: CaseRow[]; total: number }>(`/api/cases${q}`);

  it("queues one case per alerted merchant, riskiest first and, at equal risk, oldest first", async () => {
    const q = await queue("?pageSize=200");
    expect(q.total).toBe(new Set(sample.map((a) => a.merchantId)).size);
    for (let i = 1; i < q.rows.length; i++) {
      const [a, b] = [q.rows[i - 1]!, q.rows[i]!];
      expect(a.score > b.score || (a.score === b.score && a.openedAt <= b.openedAt)).toBe(true);
    }
    // a case holds its merchant's latest alert and all of its alerts
    const twice = sample.find((a, i) => sample.findIndex((b) => b.merchantId === a.merchantId) !== i)!;
    const c = q.rows.find((r) => r.merchantId === twice.merchantId)!;
    const d = await get<MaskedCaseDetail>(`/api/cases/${c.caseId}`);
    const mine = sample.filter((a) => a.merchantId === twice.merchantId);
    expect(d.alerts.map((a) => a.alertId)).toEqual(mine.map((a) => a.alertId));
    expect(c.score).toBe(mine.at(-1)!.score);
    expect(c.lastAlertId).toBe(mine.at(-1)!.alertId);
  });

  it("filters by typology, acquirer, status and assignee, and pages", async () => {
    const all = (await queue("?pageSize=200")).rows;
    const typology = all[0]!.typologies[0]!;
    const byTyp = await queue(`?typology=${encodeURIComponent(typology)}&pageSize=200`);
    expect(byTyp.rows.length).toBe(all.filter((r) => r.typologies.includes(typology)).length);
    expect(byTyp.rows.every((r) => r.typologies.includes(typology))).toBe(true);
    const acquirer = all[0]!.acquirerId!;
    expect((await queue(`?acquirer=${acquirer}&pageSize=200`)).rows.map((r) => r.caseId)).toEqual(all.filter((r) => r.acquirerId === acquirer).map((r) => r.caseId));
    const p1 = await queue("?pageSize=5&page=1");
    const p2 = await queue("?pageSize=5&page=2");
    expect(p1.rows.map((r) => r.caseId)).toEqual(all.slice(0, 5).map((r) => r.caseId));
    expect(p2.rows.map((r) => r.caseId)).toEqual(all.slice(5, 10).map((r) => r.caseId));
    expect(p2.total).toBe(all.length);
    expect((await queue("?status=reported")).total).toBe(0);
    expect((await queue("?assignee=unassigned&pageSize=200")).total).toBe(all.length);
  });

  it("shows a case with its signals, evidence, provenance (TLP, expiry) and activity", async () => {
    const all = (await queue("?pageSize=200")).rows;
    const withIndicator = sample.find((a) => a.signals.some((s) => s.evidence.indicators?.length))!;
    const c = all.find((r) => r.merchantId === withIndicator.merchantId)!;
    const d = await get<MaskedCaseDetail>(`/api/cases/${c.caseId}`);
    expect(d.context.profile?.acquirerId).toBe(c.acquirerId);
    expect(d.context.activity.length + d.context.events.length).toBeGreaterThan(0);
    const html = (await app.inject({ method: "GET", url: `/cases/${c.caseId}`, headers: as("reviewer") })).body;
    const ind = withIndicator.signals.flatMap((s) => s.evidence.indicators ?? [])[0]!;
    expect(ind.tlp).toBeDefined();
    expect(html).toContain(`TLP:${ind.tlp!.toUpperCase()}`);
    expect(html).toContain(ind.source);
    for (const s of withIndicator.signals) expect(html).toContain(s.rule);
    expect(html).toContain("<svg");
  });

  it("never links a flagged URL: host and hash only, the full address behind an audited reveal", async () => {
    const all = (await queue("?pageSize=200")).rows;
    const linked = sample.find((a) => a.signals.some((s) => s.kind === "flagged-site-link") && a.context?.events.some((e) => e.url || e.referrerUrl || e.checkoutUrl))!;
    const c = all.find((r) => r.merchantId === linked.merchantId)!;
    const url = linked.context!.events.flatMap((e) => [e.url, e.referrerUrl, e.checkoutUrl, ...(e.linkedUrls ?? [])]).find(Boolean)!;
    const page = (await app.inject({ method: "GET", url: `/cases/${c.caseId}`, headers: as("reviewer") })).body;
    expect(page).not.toContain(url);
    expect(page).not.toMatch(/<a [^>]*href="https?:/);
    expect(page).not.toMatch(/<img /);
    expect(page).toContain(urlHash(url).slice(0, 19));
    const r = await app.inject({ method: "POST", url: `/api/cases/${c.caseId}/reveal`, headers: as("reviewer"), payload: { hash: urlHash(url) } });
    expect(r.json()).toEqual({ url });
    const audit = await get<{ action: string; target: string; actor: string }[]>(`/api/cases/${c.caseId}/audit`);
    expect(audit.at(-1)).toMatchObject({ action: "reveal-url", target: urlHash(url), actor: "rev" });
    expect((await app.inject({ method: "POST", url: `/api/cases/${c.caseId}/reveal`, headers: as("reviewer"), payload: { hash: "sha256:00" } })).statusCode).toBe(404);
    const headers = (await app.inject({ method: "GET", url: `/cases/${c.caseId}`, headers: as("reviewer") })).headers;
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
  });

  it("works a case through the workflow; each step is in the audit trail with who, before and after", async () => {
    const c = (await queue("?pageSize=200")).rows.at(-1)!;
    const id = c.caseId;
    expect((await act(id, { action: "escalate" })).statusCode).toBe(409);
    const assigned = await act(id, { action: "assign", note: "taking it" });
    expect(assigned.json()).toMatchObject({ status: "in_review", assignee: "rev" });
    expect((await act(id, { action: "escalate" })).json()).toMatchObject({ status: "escalated" });
    const noRef = await act(id, { action: "report" });
    expect(noRef.statusCode).toBe(400);
    expect(noRef.json().error).toContain("reportRef");
    expect((await act(id, { action: "report", reportRef: "HOTLINE-2026-0042" })).json()).toMatchObject({ status: "reported", reportRef: "HOTLINE-2026-0042" });
    expect((await act(id, { action: "assign" })).statusCode).toBe(409);
    const comment = await app.inject({ method: "POST", url: `/api/cases/${id}/comments`, headers: as("reviewer"), payload: { body: "sent to the hotline" } });
    expect(comment.statusCode).toBe(201);
    const audit = await get<{ action: string; actor: string; role: string; before: { status: string } | null; after: { status: string; reportRef?: string } | null; detail: unknown }[]>(
      `/api/cases/${id}/audit`,
    );
    expect(audit.map((a) => a.action)).toEqual(["assign", "escalate", "report", "comment"]);
    expect(audit[0]).toMatchObject({ actor: "rev", role: "reviewer", before: { status: "open", assignee: null }, after: { status: "in_review", assignee: "rev" }, detail: { note: "taking it" } });
    expect(audit[2]).toMatchObject({ before: { status: "escalated" }, after: { status: "reported", reportRef: "HOTLINE-2026-0042" } });
    const closed = await get<MaskedCaseDetail>(`/api/cases/${id}`);
    expect(closed.case.closedAt).not.toBeNull();
  });

  it("dismisses only with a reason from the list, and reopens with a note unless the merchant has another open case", async () => {
    const rows = (await queue("?pageSize=200")).rows;
    const c = rows.at(-1)!;
    const bad = await act(c.caseId, { action: "dismiss", reason: "looked fine to me" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/false-positive/);
    expect((await act(c.caseId, { action: "dismiss" })).statusCode).toBe(400);
    expect((await act(c.caseId, { action: "dismiss", reason: "legitimate-business", note: "known subscription service" })).json()).toMatchObject({
      status: "dismissed",
      dismissReason: "legitimate-business",
    });
    expect((await act(c.caseId, { action: "reopen" })).statusCode).toBe(400);
    // a new alert for the merchant opens a new case; the dismissed one then cannot be reopened beside it
    const again = { ...sample.find((a) => a.merchantId === c.merchantId)!, alertId: `${c.caseId}-again`, score: 99, severity: "critical" as const };
    await db.tx((q) => recordAlerts(q, [again], { acquirerOf: acquirerOf(sample), webhooks: false }));
    const fresh = (await queue("?pageSize=200")).rows.find((r) => r.merchantId === c.merchantId)!;
    expect(fresh.caseId).not.toBe(c.caseId);
    expect(fresh).toMatchObject({ score: 99, severity: "critical", status: "open" });
    const blocked = await act(c.caseId, { action: "reopen", note: "new facts" });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error).toContain(fresh.caseId);
    // a critical case is let go only with a note saying why
    const bare = await act(fresh.caseId, { action: "dismiss", reason: "duplicate", note: "  " });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toMatch(/^note: a critical case .* dismissed only with a note/);
    expect((await act(fresh.caseId, { action: "dismiss", reason: "duplicate", note: "same merchant as the case reopened below" })).statusCode).toBe(200);
    expect((await act(c.caseId, { action: "reopen", note: "new facts" })).json()).toMatchObject({ status: "open", dismissReason: null });
  });

  it("a new alert on an open case joins its timeline and updates its score", async () => {
    const c = (await queue("?pageSize=200")).rows[0]!;
    const base = sample.find((a) => a.merchantId === c.merchantId)!;
    const next = { ...base, alertId: `${c.caseId}-next`, raisedAt: "2026-12-01T00:00:00Z", score: Math.max(1, c.score - 7) };
    await db.tx((q) => recordAlerts(q, [next], { acquirerOf: acquirerOf(sample), webhooks: false }));
    const d = await get<MaskedCaseDetail>(`/api/cases/${c.caseId}`);
    expect(d.alerts.at(-1)!.alertId).toBe(next.alertId);
    expect(d.case.score).toBe(next.score);
    // the same batch again changes nothing
    await db.tx((q) => recordAlerts(q, [next], { acquirerOf: acquirerOf(sample), webhooks: false }));
    expect((await get<MaskedCaseDetail>(`/api/cases/${c.caseId}`)).alerts).toHaveLength(d.alerts.length);
  });

  it("exports a case file with the evidence, provenance and audit trail; the export is audited", async () => {
    const c = (await queue("?pageSize=200")).rows[0]!;
    const f = await get<{ format: string; case: CaseRow; signals: unknown[]; evidence: { urls: { url: string; sha256: string }[] }[]; indicators: unknown[]; audit: unknown[]; merchant: unknown }>(
      `/api/cases/${c.caseId}/export`,
    );
    expect(f.format).toBe("moneytrail-case-file/1");
    expect(f.case.caseId).toBe(c.caseId);
    expect(f.signals.length).toBeGreaterThan(0);
    expect(f.merchant).not.toBeNull();
    for (const e of f.evidence) for (const u of e.urls) expect(u.sha256).toBe(urlHash(u.url));
    const audit = await get<{ action: string }[]>(`/api/cases/${c.caseId}/audit`);
    expect(audit.at(-1)!.action).toBe("export");
    const print = await app.inject({ method: "GET", url: `/cases/${c.caseId}/print`, headers: as("reviewer") });
    expect(print.statusCode).toBe(200);
    expect(print.body).not.toContain('data-action="assign"');
    const csv = await app.inject({ method: "GET", url: `/cases/${c.caseId}/audit.csv`, headers: as("reviewer") });
    expect(csv.body.split("\n")[0]).toBe("audit_id,at,actor,role,action,case_id,target,before,after,detail,credential");
    expect(csv.body).toContain('"export"');
  });

  it("keeps the audit trail append-only in the database itself", async () => {
    await expect(db.query("UPDATE mt_audit SET actor = 'someone-else'")).rejects.toThrow(/append-only/);
    await expect(db.query("DELETE FROM mt_audit")).rejects.toThrow(/append-only/);
    const n = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit");
    expect(Number(n.rows[0]!.n)).toBeGreaterThan(0);
  });

  it("checks the role on every guarded route: each denial, and no entry without a token or session", async () => {
    const caseId = (await queue()).rows[0]!.caseId;
    const fill = (url: string) => url.replace(":id", caseId).replace(":file", "sites.yaml").replace(":name", "rev").replace(":version", "sha256:00");
    expect(app.guarded.length).toBeGreaterThan(20);
    let denials = 0;
    for (const r of app.guarded) {
      const none = await app.inject({ method: r.method as "GET", url: fill(r.url) });
      expect([401, 302], `${r.method} ${r.url} without credentials`).toContain(none.statusCode);
      for (const role of ROLES) {
        if (can(role, r.perm)) continue;
        const res = await app.inject({ method: r.method as "GET", url: fill(r.url), headers: as(role), payload: r.method === "GET" ? undefined : {} });
        expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
        denials++;
      }
    }
    // written out, not derived from PERMISSIONS: widening a permission must fail this test
    expect(Object.fromEntries(Object.entries(PERMISSIONS).map(([p, roles]) => [p, [...roles]]))).toEqual({
      "cases:read": ["reviewer"],
      "cases:act": ["reviewer"],
      "cases:report": ["reviewer", "admin"],
      "rules:read": ["rule-tuner"],
      "rules:write": ["rule-tuner"],
      "users:manage": ["admin"],
      "audit:export": ["admin", "auditor"],
      "account:self": ["reviewer", "rule-tuner", "admin", "auditor"],
    });
    expect(ROLES).toEqual(["reviewer", "rule-tuner", "admin", "auditor"]);
    // every route but one's own account (home page, who am I, password) and the audit export (its page, the NDJSON
    // and the CSV) is refused to three roles of four; the audit export to two (reviewer, rule tuner),
    const own = app.guarded.filter((r) => r.perm === "account:self");
    expect(own.map((r) => `${r.method} ${r.url}`).sort()).toEqual(["GET /", "GET /api/me", "GET /password", "POST /api/me/password", "POST /password"]);
    const audit = app.guarded.filter((r) => r.perm === "audit:export");
    expect(audit.map((r) => `${r.method} ${r.url}`).sort()).toEqual(["GET /api/audit", "GET /audit", "GET /audit.csv"]);
    // the review report (its page, JSON and CSV) to two (rule tuner, auditor)
    const report = app.guarded.filter((r) => r.perm === "cases:report");
    expect(report.map((r) => `${r.method} ${r.url}`).sort()).toEqual(["GET /api/report", "GET /report", "GET /report.csv"]);
    expect(denials).toBe((app.guarded.length - own.length - audit.length - report.length) * 3 + (audit.length + report.length) * 2);
    // a reviewer cannot change rules, by API or by the page
    const put = await app.inject({ method: "PUT", url: "/api/rules/sites.yaml", headers: { ...as("reviewer"), "content-type": "text/plain" }, payload: "x: 1" });
    expect(put.statusCode).toBe(403);
    expect(put.json().error).toContain("rule-tuner");
    // the auditor reads the audit export, which the loop above refused to the reviewer and the rule tuner
    const exported = await app.inject({ method: "GET", url: "/api/audit?limit=1", headers: as("auditor") });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.headers["content-type"]).toContain("application/x-ndjson");
  });

  it("refuses a revoked token, a wrong password and a session's change without its CSRF token", async () => {
    const auth = new Auth(db);
    const t = await auth.createToken(CONSOLE, "rev2", "short-lived");
    expect((await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${t.token}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: "DELETE", url: `/api/tokens/${t.id}`, headers: as("admin") })).statusCode).toBe(204);
    expect((await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${t.token}` } })).statusCode).toBe(401);
    expect((await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "wrong-password" } })).statusCode).toBe(401);
    // the password addUser set is an initial one: replaced first, so that the session may do anything
    const own = await app.inject({ method: "POST", url: "/api/me/password", headers: as("reviewer"), payload: { currentPassword: "rev-password-long", newPassword: "rev-own-password" } });
    expect(own.statusCode, own.body).toBe(200);
    const login = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-own-password" } });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe("/cases");
    const cookie = login.cookies.find((c) => c.name === "mt_session")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Strict");
    const headers = { cookie: `mt_session=${cookie.value}` };
    const caseId = (await queue()).rows[0]!.caseId;
    const page = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers });
    expect(page.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const without = await app.inject({ method: "POST", url: `/cases/${caseId}/comment`, headers, payload: { body: "no token" } });
    expect(without.statusCode).toBe(403);
    const withToken = await app.inject({ method: "POST", url: `/cases/${caseId}/comment`, headers, payload: { body: "with token", _csrf: csrf } });
    expect(withToken.statusCode).toBe(303);
  });

  it("lets a rule tuner change a rule file; a bad change is refused with file, path and reason and nothing changes", async () => {
    const before = await get<{ version: string }>("/api/rules", "rule-tuner");
    const text = readFileSync(join(rulesDir, "sites.yaml"), "utf8");
    // each change names the version of the file it was made from
    const headers = { ...as("rule-tuner"), "content-type": "text/plain", "if-match": `"${fileVersion(text)}"` };
    const bad = await app.inject({ method: "PUT", url: "/api/rules/sites.yaml?note=test", headers, payload: `${text}\n  - id: broken\n    kind: no-such-kind\n` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/sites\.yaml.*rules\[\d+\]/);
    expect(readFileSync(join(rulesDir, "sites.yaml"), "utf8")).toBe(text);
    expect((await get<{ version: string }>("/api/rules", "rule-tuner")).version).toBe(before.version);
    const changed = text.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`);
    expect(changed).not.toBe(text);
    const ok = await app.inject({ method: "PUT", url: "/api/rules/sites.yaml?note=test", headers, payload: changed });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().version).not.toBe(before.version);
    const audit = await app.inject({ method: "GET", url: "/api/audit", headers: as("admin") });
    const last = audit.body.trim().split("\n").map((l) => JSON.parse(l)).filter((r: { action: string }) => r.action === "rules-change").at(-1);
    expect(last).toMatchObject({ actor: "tuner", role: "rule-tuner", target: "sites.yaml", before: { version: before.version }, after: { version: ok.json().version } });
  });

  it("keeps the rule-set history with who changed what: diff any two versions, restore an old one", async () => {
    const list = () => get<{ version: string; recordedBy: string }[]>("/api/rules/versions", "rule-tuner");
    const status = await get<{ version: string; loadedAt: string }>("/api/rules/status", "rule-tuner");
    const start = status.version;
    // in force since it was first seen, not since each request
    await new Promise((r) => setTimeout(r, 20));
    expect(await get("/api/rules/status", "rule-tuner")).toMatchObject({ version: start, loadedAt: status.loadedAt });
    const text = readFileSync(join(rulesDir, "chargebacks.yaml"), "utf8");
    const changed = text.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) + 3}`);
    const put = await app.inject({
      method: "PUT",
      url: "/api/rules/chargebacks.yaml?note=test",
      headers: { ...as("rule-tuner"), "content-type": "text/plain", "if-match": `"${fileVersion(text)}"` },
      payload: changed,
    });
    expect(put.statusCode, put.body).toBe(200);
    const next = put.json().version as string;
    const versions = await list();
    expect(versions.find((v) => v.version === next)).toMatchObject({ recordedBy: "tuner" });
    expect(versions.some((v) => v.version === start)).toBe(true);
    const diff = await app.inject({ method: "GET", url: `/api/rules/diff?from=${start}&to=${next}`, headers: as("rule-tuner") });
    expect(diff.body).toContain("chargebacks.yaml");
    expect(diff.body).toMatch(/^-.*weight: \d+/m);
    expect(diff.body).toMatch(/^\+.*weight: \d+/m);
    expect(diff.body.split("\n").filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
    const back = await app.inject({ method: "POST", url: `/api/rules/versions/${start}/restore?note=test`, headers: as("rule-tuner") });
    expect(back.json().version).toBe(start);
    expect(readFileSync(join(rulesDir, "chargebacks.yaml"), "utf8")).toBe(text);
    // no version's form (400), or none of the history (404)
    expect((await app.inject({ method: "POST", url: "/api/rules/versions/sha256:nope/restore", headers: as("rule-tuner") })).statusCode).toBe(400);
    expect((await app.inject({ method: "POST", url: "/api/rules/versions/sha256:000000000000/restore", headers: as("rule-tuner") })).statusCode).toBe(404);
    const page = await app.inject({ method: "GET", url: "/rules", headers: as("rule-tuner") });
    expect(page.body).toContain(next.slice(0, 19));
  });

  it("shows each rule's live and shadow hits and the false-positive rate reviewers' dispositions give it", async () => {
    const closed = await db.query<{ status: string; dismiss_reason: string | null; alerts: string[] }>(
      "SELECT c.status, c.dismiss_reason, array_agg(a.alert::text) AS alerts FROM mt_cases c JOIN mt_case_alerts USING (case_id) JOIN mt_alerts a USING (alert_id) WHERE c.status IN ('reported', 'dismissed') GROUP BY c.case_id",
    );
    // a rule of a case the earlier tests closed
    const rule = (JSON.parse(closed.rows[0]!.alerts[0]!) as Alert).signals[0]!.rule;
    await db.query("INSERT INTO mt_rule_hits (rule_id, rule_version, mode, merchant_id, first_at) VALUES ($1, 'v1', 'live', 'm-a', now()), ($1, 'v1', 'live', 'm-b', now()), ($1, 'v2', 'shadow', 'm-a', now())", [rule]);
    const hits = await get<{ rule: string; mode: string; merchants: number }[]>("/api/rules/hits", "rule-tuner");
    expect(hits.filter((h) => h.rule === rule)).toEqual([
      expect.objectContaining({ mode: "live", merchants: 2 }),
      expect.objectContaining({ mode: "shadow", merchants: 1 }),
    ]);
    // dispositions: every closed case whose alerts cite the rule counts; reported vs dismissed as not abusive
    const fb = await get<{ rule: string; closed: number; reported: number; falsePositives: number; falsePositiveRate: number | null }[]>("/api/rules/feedback", "rule-tuner");
    const cites = (r: { alerts: string[] }) => r.alerts.some((a) => (JSON.parse(a) as Alert).signals.some((s) => s.rule === rule));
    const mine = closed.rows.filter(cites);
    const reported = mine.filter((r) => r.status === "reported").length;
    const fp = mine.filter((r) => r.status === "dismissed" && ["false-positive", "legitimate-business"].includes(r.dismiss_reason!)).length;
    const rows = fb.filter((f) => f.rule === rule);
    expect(rows.reduce((n, r) => n + r.closed, 0)).toBe(mine.length);
    expect(rows.reduce((n, r) => n + r.reported, 0)).toBe(reported);
    expect(rows.reduce((n, r) => n + r.falsePositives, 0)).toBe(fp);
    expect(mine.length).toBeGreaterThan(0);
    const page = await app.inject({ method: "GET", url: "/rules", headers: as("rule-tuner") });
    expect(page.body).toContain(`data-rule="${rule}"`);
  });

  it("tells indicator publishers a closed case's outcome as STIX sightings, and only a closed one", async () => {
    const rows = (await queue("?pageSize=200")).rows;
    const withInd = rows.find((r) => sample.some((a) => a.merchantId === r.merchantId && a.signals.some((s) => s.evidence.indicators?.length)))!;
    const open = await app.inject({ method: "GET", url: `/api/cases/${withInd.caseId}/sightings`, headers: as("reviewer") });
    expect(open.statusCode).toBe(409);
    expect(open.json().error).toMatch(/only a reported case/);
    expect((await act(withInd.caseId, { action: "assign" })).statusCode).toBe(200);
    expect((await act(withInd.caseId, { action: "report", reportRef: "HOTLINE-2026-0099" })).statusCode).toBe(200);
    const res = await app.inject({ method: "GET", url: `/api/cases/${withInd.caseId}/sightings`, headers: as("reviewer") });
    expect(res.statusCode, res.body).toBe(200);
    const bundle = res.json();
    expect(validateStixBundle(bundle)).toEqual({ ok: true });
    const cited = (await get<MaskedCaseDetail>(`/api/cases/${withInd.caseId}`)).alerts.flatMap((a) => a.signals.flatMap((s) => s.evidence.indicators ?? []));
    const sightings = bundle.objects.filter((o: { type: string }) => o.type === "sighting");
    expect(new Set(sightings.map((s: { sighting_of_ref: string }) => s.sighting_of_ref))).toEqual(new Set(cited.map((i) => stixIndicatorId(i.set, i.id))));
    expect(sightings.every((s: { x_moneytrail_disposition: string }) => s.x_moneytrail_disposition === "confirmed")).toBe(true);
    // the last row but the openings of the case read since (each opening is a row)
    const audit = (await get<{ action: string }[]>(`/api/cases/${withInd.caseId}/audit`)).filter((a) => a.action !== "case-view");
    expect(audit.at(-1)!.action).toBe("export-sightings");
  });

  it("tells publishers running MISP the same as MISP sightings of the attributes the case cites, and only those", async () => {
    const base = sample.find((a) => a.signals.some((s) => s.evidence.indicators?.length))!;
    const signal = base.signals.find((s) => s.evidence.indicators?.length)!;
    const plain = signal.evidence.indicators![0]!;
    // an entry imported from a MISP feed has its attribute's uuid as its id (fixtures/misp-feed's url attribute)
    const attribute = { ...plain, set: "misp:partner-feed", id: "4b16518e-a162-579f-a4ef-9e0c3c268409" };
    const citing = (merchantId: string, indicators: IndicatorRef[]): Alert => ({
      ...base,
      alertId: `${merchantId}-1`,
      merchantId,
      signals: [{ ...signal, evidence: { eventIds: signal.evidence.eventIds, indicators } }],
    });
    await db.tx((q) => recordAlerts(q, [citing("m-misp-cited", [attribute, plain]), citing("m-misp-none", [plain])], { acquirerOf: acquirerOf(sample), webhooks: false }));
    const rows = (await queue("?pageSize=200")).rows;
    const [withAttr, without] = ["m-misp-cited", "m-misp-none"].map((m) => rows.find((r) => r.merchantId === m)!);
    const misp = (id: string, format = "misp") => app.inject({ method: "GET", url: `/api/cases/${id}/sightings?format=${format}`, headers: as("reviewer") });

    const open = await misp(withAttr!.caseId);
    expect(open.statusCode).toBe(409);
    expect(open.json().error).toMatch(/only a reported case/);
    expect((await act(withAttr!.caseId, { action: "dismiss", reason: "false-positive" })).statusCode).toBe(200);
    const page = (await app.inject({ method: "GET", url: `/cases/${withAttr!.caseId}`, headers: as("reviewer") })).body;
    expect(page).toContain(`href="/api/cases/${withAttr!.caseId}/sightings?format=misp&amp;publisher=${encodeURIComponent(attribute.source)}"`);

    const res = await misp(withAttr!.caseId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="case-${withAttr!.caseId}-sightings.misp.json"`);
    const closedAt = (await get<MaskedCaseDetail>(`/api/cases/${withAttr!.caseId}`)).case.closedAt!;
    // the plain ref is not an attribute MISP knows; the alert carries no value, so none is sent
    const seconds = String(Math.floor(Date.parse(closedAt) / 1000));
    // the sighting's own uuid (MISP keeps one sighting per uuid), not the attribute's
    const [sighting] = res.json() as MispSighting[];
    expect(res.json()).toEqual([{ Sighting: { uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), attribute_uuid: attribute.id, type: "1", source: "member:local", date_sighting: seconds, timestamp: seconds } }]);
    expect(sighting!.Sighting.uuid).not.toBe(attribute.id);
    const stix = await misp(withAttr!.caseId, "stix");
    expect(stix.headers["content-disposition"]).toBe(`attachment; filename="case-${withAttr!.caseId}-sightings.stix.json"`);
    const audit = (await get<{ action: string; detail: unknown }[]>(`/api/cases/${withAttr!.caseId}/audit`)).filter((a) => a.action !== "case-view");
    expect(audit.slice(-2)).toMatchObject([
      { action: "export-sightings", detail: { form: "misp", disposition: "dismissed", indicators: [`${attribute.set}/${attribute.id}`] } },
      { action: "export-sightings", detail: { form: "stix", disposition: "dismissed", indicators: [`${attribute.set}/${attribute.id}`, `${plain.set}/${plain.id}`] } },
    ]);
    // exported again, the same decision is the same sighting to MISP
    expect((await misp(withAttr!.caseId)).json()).toEqual([sighting]);

    expect((await act(without!.caseId, { action: "assign" })).statusCode).toBe(200);
    expect((await act(without!.caseId, { action: "report", reportRef: "HOTLINE-2026-0101" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: `/cases/${without!.caseId}`, headers: as("reviewer") })).body).not.toContain("sightings?format=misp");
    const none = await misp(without!.caseId);
    expect(none.statusCode).toBe(409);
    expect(none.json().error).toMatch(/cites no MISP attribute .*format=stix/);
    const bogus = await misp(without!.caseId, "bogus");
    expect(bogus.statusCode).toBe(400);
    expect(bogus.json().error).toMatch(/^format: use stix .* or misp /);
    expect((await get<{ action: string }[]>(`/api/cases/${without!.caseId}/audit`)).filter((a) => a.action === "export-sightings")).toEqual([]);
  });

  it("gives each publisher its own sightings file; a TLP:RED indicator's sighting goes to its publisher only, marked RED", async () => {
    const base = sample.find((a) => a.signals.some((s) => s.evidence.indicators?.length))!;
    const signal = base.signals.find((s) => s.evidence.indicators?.length)!;
    const mine = { set: "set-a", id: "a-1", source: "member:a", confidence: 90 };
    const red = { set: "set-b", id: "b-red", source: "member:b", confidence: 90, tlp: "red" };
    const green = { set: "set-b", id: "b-green", source: "member:b", confidence: 90, tlp: "green" };
    const alert: Alert = { ...base, alertId: "m-two-publishers-1", merchantId: "m-two-publishers", signals: [{ ...signal, evidence: { eventIds: signal.evidence.eventIds, indicators: [mine, red, green] } }] };
    await db.tx((q) => recordAlerts(q, [alert], { acquirerOf: acquirerOf(sample), webhooks: false }));
    const row = (await queue("?pageSize=200")).rows.find((r) => r.merchantId === "m-two-publishers")!;
    expect((await act(row.caseId, { action: "assign" })).statusCode).toBe(200);
    expect((await act(row.caseId, { action: "report", reportRef: "HOTLINE-2026-0102" })).statusCode).toBe(200);
    const page = (await app.inject({ method: "GET", url: `/cases/${row.caseId}`, headers: as("reviewer") })).body;
    for (const p of ["member:a", "member:b"]) expect(page).toContain(`href="/api/cases/${row.caseId}/sightings?publisher=${encodeURIComponent(p)}"`);

    const sightingsOf = async (query: string) => {
      const res = await app.inject({ method: "GET", url: `/api/cases/${row.caseId}/sightings${query}`, headers: as("reviewer") });
      expect(res.statusCode, res.body).toBe(200);
      expect(validateStixBundle(res.json())).toEqual({ ok: true });
      const objects = res.json().objects as { type: string; id: string; sighting_of_ref?: string; object_marking_refs?: string[] }[];
      const markings = new Map(objects.filter((o) => o.type === "marking-definition").map((o) => [o.id, (o as { name?: string }).name]));
      return objects.filter((o) => o.type === "sighting").map((o) => [o.sighting_of_ref, o.object_marking_refs!.map((m) => markings.get(m))]);
    };
    expect(await sightingsOf("?publisher=member%3Aa")).toEqual([[stixIndicatorId("set-a", "a-1"), ["TLP:AMBER"]]]);
    expect(await sightingsOf("?publisher=member%3Ab")).toEqual([
      [stixIndicatorId("set-b", "b-red"), ["TLP:RED"]],
      [stixIndicatorId("set-b", "b-green"), ["TLP:AMBER"]],
    ]);
    // a file for no one in particular leaves the RED one out
    expect((await sightingsOf("")).map(([ref]) => ref)).toEqual([stixIndicatorId("set-a", "a-1"), stixIndicatorId("set-b", "b-green")]);
    const other = await app.inject({ method: "GET", url: `/api/cases/${row.caseId}/sightings?publisher=member%3Ac`, headers: as("reviewer") });
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toMatch(/cites no indicator of member:c: .*member:a, member:b/);
  });
});
