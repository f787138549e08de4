// An auditor (a bank's internal one, a regulator's visitor) reads the trail on screen, but the /audit page's form
// opened raw NDJSON in the browser. The page now shows the rows the filters keep as a table in words (who, with what
// credential, what changed), newest first and paged with the filters kept, with the count, and links to the same
// filters as NDJSON and CSV; each view is a row of the trail, as each export is. A refused filter is said on the
// page, tied to its field, with what was typed kept.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { all, byId, parse, text } from "./helpers/a11y.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { syntheticPan } from "./helpers/card-numbers.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const PAN = syntheticPan("400012345678901");
const SHOWN = `400012******${PAN.slice(-4)}`;
const EVIDENCE = "https://canal-studio.example/checkout/tokalpha";

/** ann works a case with an API token and comments on it (an evidence address and a card number pasted in). */
async function trail() {
  const web = await openWeb();
  const { db, auth, app } = web;
  const caseId = await recordCase(
    db,
    caseAlert({
      alertId: "audit-table-1",
      context: { events: [{ eventId: "e-1", type: "transaction", occurredAt: "2026-03-01T00:00:00Z", amountMinor: 100, currency: "EUR", checkoutUrl: EVIDENCE }], activity: [] },
    }),
  );
  await auth.addUser(CONSOLE, { username: "ann", role: "reviewer", password: "ann-password-long" });
  await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'ann'");
  const t = await auth.createToken(CONSOLE, "ann", "tokalpha-script");
  const ann = { authorization: `Bearer ${t.token}` };
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign" } })).statusCode).toBe(200);
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: ann, payload: { body: `=SUM(A1) see ${EVIDENCE} card ${PAN}` } })).statusCode).toBe(201);
  expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "escalate", note: "needs a second look" } })).statusCode).toBe(200);
  const audra = await bearer(auth, "audra", "auditor");
  const get = (url: string) => app.inject({ method: "GET", url, headers: audra });
  return { ...web, caseId, token: t, get };
}

const rowsOf = (page: string) => {
  const table = byId(parse(page), "audit-rows");
  return table ? all(table, (e) => e.tag === "tr" && e.attrs["data-audit"] !== undefined).map((tr) => all(tr, (e) => e.tag === "td").map(text)) : [];
};
const hrefOf = (page: string, name: string) => all(parse(page), (e) => e.tag === "a" && text(e) === name)[0]?.attrs.href?.replace(/&amp;/g, "&");

describe("the /audit page as a table", { timeout: 60_000 }, () => {
  it("shows the rows the filters keep in words, newest first, with the count", async () => {
    const { caseId, token, get } = await trail();
    const r = await get(`/audit?actor=ann&case=${caseId}`);
    expect(r.statusCode, r.body).toBe(200);
    const rows = rowsOf(r.body);
    // When, Who, Action, Case, Target, What changed, Detail: newest first
    expect(rows.map((c) => c[2])).toEqual(["escalate", "comment", "assign"]);
    expect(rows[0]![1]).toBe(`ann (reviewer)with API token tokalpha-script (${token.id})`);
    expect(rows[0]![3]).toBe(`#${caseId}`);
    expect(rows[0]![5]).toBe("status: in review → escalated");
    expect(rows[0]![6]).toBe("note: needs a second look");
    expect(rows[2]![5]).toBe("status: open → in review; assignee: none → ann");
    expect(rows[0]![0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(text(byId(parse(r.body), "audit-count")!)).toBe("3 rows match these filters; shown: 1 to 3, newest first.");
    // an auditor opens no case: the case's number leads to its rows in the trail
    expect(all(parse(r.body), (e) => e.tag === "a" && text(e) === `#${caseId}`)[0]!.attrs.href).toBe(`/audit?case=${caseId}`);
    // the form shows the filters it was sent with
    expect(r.body).toMatch(/<input name="actor" value="ann"/);
  });

  it("masks on screen what the case page masks: a case's evidence address in a comment, a card number", async () => {
    const { caseId, get } = await trail();
    const page = (await get(`/audit?action=comment`)).body;
    const [comment] = rowsOf(page);
    expect(comment![5]).toMatch(/^body: =SUM\(A1\) see canal-studio\.example sha256:[0-9a-f]{64} card 400012\*{6}\d{4}; comment: \d+$/);
    expect(page).not.toContain(PAN);
    expect(page).not.toContain(EVIDENCE);
    // the NDJSON export keeps the address (the file for an authority), the card number truncated, as before
    const ndjson = (await get(`/api/audit?case=${caseId}&action=comment`)).body;
    expect(ndjson).toContain(`see ${EVIDENCE} card ${SHOWN}`);
  });

  it("pages with the filters kept, newer and older, and links the same filters as NDJSON and CSV", async () => {
    const { caseId, get } = await trail();
    const first = (await get(`/audit?case=${caseId}&action=assign&action=comment&action=escalate&limit=2`)).body;
    expect(rowsOf(first).map((c) => c[2])).toEqual(["escalate", "comment"]);
    expect(text(byId(parse(first), "audit-count")!)).toBe("3 rows match these filters; shown: 1 to 2, newest first.");
    expect(hrefOf(first, "Newer rows")).toBeUndefined();
    const older = hrefOf(first, "Older rows")!;
    expect(older).toMatch(new RegExp(`^/audit\\?case=${caseId}&action=assign&action=comment&action=escalate&before=\\d+&limit=2$`));
    const second = (await get(older)).body;
    expect(rowsOf(second).map((c) => c[2])).toEqual(["assign"]);
    expect(text(byId(parse(second), "audit-count")!)).toBe("3 rows match these filters; shown: 3 to 3, newest first.");
    expect(hrefOf(second, "Older rows")).toBeUndefined();
    const back = (await get(hrefOf(second, "Newer rows")!)).body;
    expect(rowsOf(back).map((c) => c[2])).toEqual(["escalate", "comment"]);

    // the exports: the same filters, no page's cursor
    const filters = `?case=${caseId}&action=assign&action=comment&action=escalate`;
    expect(hrefOf(first, "NDJSON (the export)")).toBe(`/api/audit${filters}`);
    expect(hrefOf(first, "CSV (for a spreadsheet)")).toBe(`/audit.csv${filters}`);
    const csv = await get(`/audit.csv${filters}`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toBe('attachment; filename="audit-trail.csv"');
    const lines = csv.body.trim().split("\n");
    expect(lines[0]).toBe("audit_id,at,actor,role,action,case_id,target,before,after,detail,credential");
    expect(lines.slice(1).map((l) => l.split(",")[4])).toEqual(['"assign"', '"comment"', '"escalate"']);
    // a spreadsheet keeps a comment that starts like a formula as text; a card number is truncated as in the NDJSON
    expect(csv.body).toContain(`""body"":""=SUM(A1) see ${EVIDENCE} card ${SHOWN}""`);
    expect(csv.body).not.toContain(PAN);
  });

  it("records each view as the export does, with what it asked for", async () => {
    const { caseId, get } = await trail();
    await get(`/audit?case=${caseId}&limit=2`);
    await get(`/audit.csv?case=${caseId}`);
    const rows = (await get("/api/audit?action=audit-export")).body.trim().split("\n").map((l) => JSON.parse(l) as { actor: string; caseId: string; detail: unknown });
    expect(rows.map((r) => [r.actor, r.caseId, r.detail])).toEqual([
      ["audra", caseId, { form: "page", after: null, rows: 2 }],
      ["audra", caseId, { form: "csv", after: null, rows: 4 }],
    ]);
  });

  it("says a refused filter on the page, tied to its field, with what was typed kept", async () => {
    const { get } = await trail();
    const r = await get("/audit?since=2026-12-07T09:00&actor=ann");
    expect(r.statusCode).toBe(400);
    const root = parse(r.body);
    const error = all(root, (e) => e.attrs.role === "alert")[0]!;
    expect(text(error)).toMatch(/^The filters were refused, no row is shown: since: a time in ISO 8601 with its zone/);
    const since = all(root, (e) => e.attrs.name === "since")[0]!;
    expect(since.attrs["aria-describedby"]!.split(" ")).toContain(error.attrs.id);
    expect(since.attrs["aria-invalid"]).toBe("true");
    expect(since.attrs.value).toBe("2026-12-07T09:00");
    expect(all(root, (e) => e.attrs.name === "actor")[0]!.attrs["aria-describedby"]).toBe("actor-hint");
    expect(rowsOf(r.body)).toEqual([]);
    // a page is on one side of an id
    const both = await get("/audit?after=1&before=5");
    expect(both.statusCode).toBe(400);
    expect(both.body).toContain("before: a page is after an id (the newer rows) or before one (the older), not both");
    // a case that does not exist, on its field
    const none = await get("/audit?case=999");
    expect(none.statusCode).toBe(404);
    expect(all(parse(none.body), (e) => e.attrs.name === "case")[0]!.attrs["aria-describedby"]).toBe("form-error case-hint");
    expect(none.body).toContain("case: no case 999");
  });
});
