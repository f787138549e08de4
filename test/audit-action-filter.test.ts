// An auditor could narrow the trail's export by token, user and time, but not by what was done: listing every
// dismissal, or every failed sign-in, meant reading the whole trail. GET /api/audit now takes ?action= (one, several
// repeated as a multiple select sends them, or comma-separated), checked against the trail's one list of actions: a
// typo is refused (400) naming it and the actions there are, never answered with an empty export. The /audit page's
// form has a select of them, grouped by what they are about.
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { all, nameOf, parse } from "./helpers/a11y.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

interface Row {
  auditId: string;
  actor: string;
  action: string;
  caseId: string | null;
  detail: unknown;
}
const rowsOf = (body: string): Row[] => (body.trim() ? body.trim().split("\n").map((l) => JSON.parse(l) as Row) : []);

/** Two cases: one dismissed by ann, one escalated and dismissed by bob; a failed sign-in of ann's name. */
async function trail() {
  const web = await openWeb();
  const { db, auth, app } = web;
  const first = await recordCase(db, caseAlert({ alertId: "audit-action-1", merchantId: "acq-test:M-ACT1" }));
  const second = await recordCase(db, caseAlert({ alertId: "audit-action-2", merchantId: "acq-test:M-ACT2" }));
  const ann = await bearer(auth, "ann");
  const bob = await bearer(auth, "bob");
  const audra = await bearer(auth, "audra", "auditor");
  const act = async (id: string, headers: Record<string, string>, body: object) =>
    expect((await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: body })).statusCode).toBe(200);
  await act(first, ann, { action: "dismiss", reason: "duplicate" });
  await act(second, bob, { action: "assign" });
  await act(second, bob, { action: "escalate" });
  await act(second, bob, { action: "dismiss", reason: "false-positive" });
  expect((await app.inject({ method: "POST", url: "/login", payload: { username: "ann", password: "not-her-password" } })).statusCode).toBe(401);
  const audit = async (query: string) => {
    const r = await app.inject({ method: "GET", url: `/api/audit${query}`, headers: audra });
    return { status: r.statusCode, rows: r.statusCode === 200 ? rowsOf(r.body) : [], error: r.statusCode === 200 ? undefined : (r.json() as { error: string }).error };
  };
  return { ...web, first, second, audra, audit };
}

describe("GET /api/audit?action=", { timeout: 60_000 }, () => {
  it("gives the rows of that action, or of several, and combines with the other filters and paging", async () => {
    const { first, second, audit } = await trail();
    const dismissals = await audit("?action=dismiss");
    expect(dismissals.status).toBe(200);
    expect(dismissals.rows.map((r) => [r.actor, r.action, r.caseId])).toEqual([
      ["ann", "dismiss", first],
      ["bob", "dismiss", second],
    ]);
    expect((await audit("?action=login-failed")).rows.map((r) => [r.actor, r.action])).toEqual([["anonymous", "login-failed"]]);
    // several: repeated (what the page's multiple select sends) or comma-separated, in the trail's order
    const several = await audit("?action=escalate&action=dismiss");
    expect(several.rows.map((r) => r.action)).toEqual(["dismiss", "escalate", "dismiss"]);
    expect((await audit("?action=escalate,%20dismiss")).rows.map((r) => r.auditId)).toEqual(several.rows.map((r) => r.auditId));
    expect((await audit("?action=dismiss&actor=bob")).rows.map((r) => r.caseId)).toEqual([second]);
    const page1 = await audit("?action=dismiss,escalate&limit=2");
    expect(page1.rows.map((r) => r.action)).toEqual(["dismiss", "escalate"]);
    expect((await audit(`?action=dismiss,escalate&after=${page1.rows[1]!.auditId}`)).rows.map((r) => r.action)).toEqual(["dismiss"]);
    // empty, as a form's untouched field: no filter
    expect((await audit("?action=")).rows.length).toBeGreaterThan(several.rows.length);
    // the export's own row records what it asked for
    const exports = (await audit("?action=audit-export")).rows;
    expect(exports.map((r) => r.detail)).toContainEqual({ form: "ndjson", after: null, rows: 3, filter: { action: ["escalate", "dismiss"] } });
  });

  it("refuses an action the trail does not know (400), naming it and the actions there are", async () => {
    const { audit } = await trail();
    const known = Object.values(AUDIT_ACTIONS).flat();
    for (const typo of ["?action=dismissed", "?action=dismiss&action=sign-in-refused", "?action=dismiss,Dismiss"]) {
      const r = await audit(typo);
      expect(r.status, typo).toBe(400);
      expect(r.error, typo).toMatch(/^action: (dismissed|sign-in-refused|Dismiss) is not an action of the audit trail; the actions are assign, /);
      for (const a of known) expect(r.error).toContain(a);
    }
    expect((await audit("?action=nope&action=nada")).error).toMatch(/^action: nope, nada are not actions of the audit trail;/);
    // a parameter's name mistyped is refused too, naming ?action= among the parameters
    expect((await audit("?actions=dismiss")).error).toBe("query: unknown parameter actions; the parameters are after, limit, token, actor, since, until, action, case");
  });

  it("lists every action the service writes: each one written in a run of the trail is known", async () => {
    const { db, audit } = await trail();
    const written = (await db.query<{ action: string }>("SELECT DISTINCT action FROM mt_audit")).rows.map((r) => r.action);
    const known = Object.values(AUDIT_ACTIONS).flat() as string[];
    expect(written.filter((a) => !known.includes(a))).toEqual([]);
    expect((await audit(`?action=${written.join(",")}`)).status).toBe(200);
  });

  it("is a select on the /audit page's form, every action grouped by what it is about, named for a screen reader", async () => {
    const { auth, app } = await openWeb();
    const audra = await bearer(auth, "audra", "auditor");
    await auth.createToken(CONSOLE, "audra", "test");
    const page = (await app.inject({ method: "GET", url: "/audit", headers: audra })).body;
    const root = parse(page);
    const select = all(root, (e) => e.tag === "select" && e.attrs.name === "action")[0];
    expect(select, page).toBeDefined();
    expect(select!.attrs.multiple).toBe("");
    expect(nameOf(root, select!)).toMatch(/^Actions/);
    const groups = all(select!, (e) => e.tag === "optgroup").map((g) => [g.attrs.label, all(g, (o) => o.tag === "option").map((o) => o.attrs.value)]);
    expect(Object.fromEntries(groups)).toEqual(AUDIT_ACTIONS);
    expect(page).toContain("action=NAME");
  });

  it("is reached by an admin from the admin page, which linked the raw export only", async () => {
    const { auth, app } = await openWeb();
    const adm = await bearer(auth, "adm", "admin");
    const admin = (await app.inject({ method: "GET", url: "/admin", headers: adm })).body;
    expect(admin).toMatch(/<a href="\/audit">[^<]+<\/a>/);
    expect((await app.inject({ method: "GET", url: "/audit", headers: adm })).body).toContain('<select name="action" multiple');
  });
});
