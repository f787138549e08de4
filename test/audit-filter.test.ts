// An auditor told that an API token leaked must list every action taken with it: GET /api/audit gave the whole trail
// and she had to filter it herself. It now takes ?token=<id> (the rows' credential.token), ?actor=<user name> and
// ?since=<ISO time>, filtered in SQL and paged as before (after=, limit=); a malformed value is refused (400) with
// what to send.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

interface Row {
  auditId: string;
  at: string;
  actor: string;
  action: string;
  credential: unknown;
  detail: unknown;
}
const rowsOf = (body: string): Row[] => (body.trim() ? body.trim().split("\n").map((l) => JSON.parse(l) as Row) : []);

/** ann acts with a token that leaks, with another token and in a session; bob, a colleague, acts too. */
async function trail() {
  const web = await openWeb();
  const { db, auth, app } = web;
  const caseId = await recordCase(db, caseAlert({ alertId: "audit-filter-1" }));
  await auth.addUser(CONSOLE, { username: "ann", role: "reviewer", password: "ann-password-long" });
  await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'ann'");
  const leaked = await auth.createToken(CONSOLE, "ann", "tokalpha-script");
  const other = await auth.createToken(CONSOLE, "ann", "tokbeta-laptop");
  const withLeaked = { authorization: `Bearer ${leaked.token}` };
  const bob = await bearer(auth, "bob");
  const audra = await bearer(auth, "audra", "auditor");

  expect((await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: withLeaked })).statusCode).toBe(200);
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: { authorization: `Bearer ${other.token}` }, payload: { body: "checked" } })).statusCode).toBe(201);
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: withLeaked, payload: { action: "assign" } })).statusCode).toBe(200);
  const session = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ann", password: "ann-password-long" } }));
  const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: session })).body;
  expect((await app.inject({ method: "POST", url: `/cases/${caseId}/comment`, headers: session, payload: { _csrf: csrfOf(page), body: "by hand" } })).statusCode).toBe(303);
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: bob, payload: { action: "escalate" } })).statusCode).toBe(200);
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: withLeaked, payload: { body: "tokalpha again" } })).statusCode).toBe(201);

  const audit = async (query: string) => {
    const r = await app.inject({ method: "GET", url: `/api/audit${query}`, headers: audra });
    return { status: r.statusCode, rows: r.statusCode === 200 ? rowsOf(r.body) : [], error: r.statusCode === 200 ? undefined : (r.json() as { error: string }).error };
  };
  return { ...web, leaked, audit };
}

describe("GET /api/audit with filters", { timeout: 60_000 }, () => {
  it("?token= gives every action taken with that token, and only those, paged as before", async () => {
    const { leaked, audit } = await trail();
    const withIt = await audit(`?token=${leaked.id}`);
    expect(withIt.status).toBe(200);
    expect(withIt.rows.map((r) => [r.actor, r.action, r.credential])).toEqual([
      ["ann", "case-view", { token: leaked.id, name: "tokalpha-script" }],
      ["ann", "assign", { token: leaked.id, name: "tokalpha-script" }],
      ["ann", "comment", { token: leaked.id, name: "tokalpha-script" }],
    ]);
    // an id copied in capitals is the same token
    expect((await audit(`?token=${leaked.id.toUpperCase()}`)).rows.map((r) => r.auditId)).toEqual(withIt.rows.map((r) => r.auditId));

    // paging keeps the filter: after= the last id read
    const first = await audit(`?token=${leaked.id}&limit=2`);
    expect(first.rows.map((r) => r.action)).toEqual(["case-view", "assign"]);
    const next = await audit(`?token=${leaked.id}&limit=2&after=${first.rows[1]!.auditId}`);
    expect(next.rows.map((r) => r.action)).toEqual(["comment"]);
    expect((await audit(`?token=${leaked.id}&after=${next.rows[0]!.auditId}`)).rows).toEqual([]);
  });

  it("?actor= and ?since= narrow it too, and each export's row records what it asked for", async () => {
    const { leaked, audit } = await trail();
    const ann = await audit("?actor=ann");
    expect(ann.rows.map((r) => [r.action, typeof r.credential === "object" ? "token" : r.credential])).toEqual([
      ["case-view", "token"],
      ["comment", "token"],
      ["assign", "token"],
      ["login", "session"],
      ["case-view", "session"],
      ["comment", "session"],
      ["comment", "token"],
    ]);
    // since: the rows at or after that time (the session's sign-in onwards)
    const login = ann.rows.find((r) => r.action === "login")!;
    const since = await audit(`?actor=ann&since=${encodeURIComponent(login.at)}`);
    expect(since.rows.map((r) => r.action)).toEqual(["login", "case-view", "comment", "comment"]);
    // an offset other than Z is the same instant
    const later = new Date(Date.parse(login.at)).toISOString().replace("Z", "+00:00");
    expect((await audit(`?actor=ann&since=${encodeURIComponent(later)}`)).rows.map((r) => r.auditId)).toEqual(since.rows.map((r) => r.auditId));
    expect((await audit(`?token=${leaked.id}&since=${encodeURIComponent(login.at)}`)).rows.map((r) => r.action)).toEqual(["comment"]);
    // a form's field left empty is no filter
    expect((await audit("?token=&actor=ann&since=")).rows.map((r) => r.auditId)).toEqual(ann.rows.map((r) => r.auditId));

    const exports = (await audit("?actor=audra")).rows.filter((r) => r.action === "audit-export");
    expect(exports.map((r) => r.detail)).toContainEqual({ form: "ndjson", after: null, rows: 1, filter: { token: leaked.id, since: login.at } });
    expect(exports.map((r) => r.detail)).toContainEqual({ form: "ndjson", after: null, rows: 7, filter: { actor: "ann" } });
  });

  it("refuses a malformed value (400) saying what to send", async () => {
    const { audit } = await trail();
    const token = "token: a token's id is 12 hex digits, as `moneytrail users list` and the rows' credential.token give it: e.g. ?token=0a1b2c3d4e5f";
    expect(await audit("?token=0a1b2c")).toEqual({ status: 400, rows: [], error: token });
    expect(await audit("?token=mt_tokalpha0123456789")).toEqual({ status: 400, rows: [], error: token });
    const since = "since: a time in ISO 8601 with its zone (Z or an offset): e.g. ?since=2026-12-07T09:00:00Z";
    expect(await audit("?since=yesterday")).toEqual({ status: 400, rows: [], error: since });
    expect(await audit("?since=2026-12-07T09:00:00")).toEqual({ status: 400, rows: [], error: since });
    expect((await audit(`?actor=${"x".repeat(65)}`)).error).toBe("actor: a user name, at most 64 characters, as in the rows' actor: e.g. ?actor=ann");
    expect((await audit("?actions=assign")).error).toBe("query: unknown parameter actions; the parameters are after, limit, token, actor, since, until, action, case");
  });
});
