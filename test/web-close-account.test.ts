// The reviewer decides, reports and records that the bank closed the merchant's account: "close-account" with the
// bank's termination reference closes the case (account closed), audited like the other actions and shown wherever
// a decision is; the terminated merchants can be read from the store in one place.
import { describe, expect, it } from "vitest";
import { terminatedMerchants } from "../src/cases/store.js";
import { ruleFeedback } from "../src/web/rules-routes.js";
import { caseAlert, record, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const M = "acq-test:M-CLOSED";
const alert = (n: number, raisedAt: string) => caseAlert({ alertId: `close-${n}`, merchantId: M, raisedAt, score: 85 });

const openWeb = embeddedWeb();

describe("recording that the bank closed the merchant's account", { timeout: 60_000 }, () => {
  it("closes the case as account closed, from in review, escalated or reported, audited and shown like any decision", async () => {
    const { db, auth, app } = await openWeb({ rulesDir: "rules" });
    const headers = await bearer(auth, "ann");
    const act = (id: string, body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: body });
    const id = await recordCase(db, alert(1, "2026-03-01T00:00:00Z"));

    const early = await act(id, { action: "close-account", terminationRef: "BANK-TERM-1" });
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatch(/cannot close-account a case that is open; allowed from: in_review, escalated, reported/);
    expect((await act(id, { action: "assign" })).statusCode).toBe(200);
    const page = (await app.inject({ method: "GET", url: `/cases/${id}`, headers })).body;
    expect(page).toMatch(/data-action="close-account">.*name="terminationRef" size/);
    const missing = await act(id, { action: "close-account" });
    expect(missing.statusCode).toBe(400);
    // what it takes and how to send it (case-action-field-refusals)
    expect(missing.json().error).toBe(
      `terminationRef: the bank's reference for the termination of the merchant's account is required: type it in the Record account closed form, or send it as "terminationRef" in the JSON body, e.g. {"action": "close-account", "terminationRef": "TERM-0042"}`,
    );
    const blank = await act(id, { action: "close-account", terminationRef: " " });
    expect(blank.json().error).toMatch(/terminationRef: the bank's reference for the termination/);

    expect((await act(id, { action: "report", reportRef: "HOTLINE-TEST-7" })).statusCode).toBe(200);
    const closed = await act(id, { action: "close-account", terminationRef: "BANK-TERM-1", note: "terminated on the hotline's report" });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: "account_closed", reportRef: "HOTLINE-TEST-7", terminationRef: "BANK-TERM-1" });
    expect(closed.json().closedAt).not.toBeNull();

    // shown where decisions are: the case page, the queue's filter, the JSON and printable files, the audit CSV
    const after = (await app.inject({ method: "GET", url: `/cases/${id}`, headers })).body;
    expect(after).toContain('<span id="status">account closed</span>');
    expect(after).toContain('<code id="termination-ref">BANK-TERM-1</code>');
    expect(after).toMatch(/data-action="reopen"/);
    expect((await app.inject({ method: "GET", url: "/cases", headers })).body).toContain('<option value="account_closed">account closed</option>');
    const q = (await app.inject({ method: "GET", url: "/api/cases?status=account_closed", headers })).json<{ rows: { caseId: string }[] }>();
    expect(q.rows.map((r) => r.caseId)).toEqual([id]);
    expect((await app.inject({ method: "GET", url: `/api/cases/${id}/export`, headers })).json().case).toMatchObject({ status: "account_closed", terminationRef: "BANK-TERM-1" });
    expect((await app.inject({ method: "GET", url: `/cases/${id}/print`, headers })).body).toContain("BANK-TERM-1");
    const csv = (await app.inject({ method: "GET", url: `/cases/${id}/audit.csv`, headers })).body;
    expect(csv).toMatch(/"close-account","\d+","acq-test:M-CLOSED","[^\n]*""status"":""reported""[^\n]*","[^\n]*""status"":""account_closed""[^\n]*""terminationRef"":""BANK-TERM-1""[^\n]*","[^\n]*terminated on the hotline's report/);

    // for the rule tuners, a closed account confirms the rules that raised the case, as a report does
    expect(await ruleFeedback(db)).toEqual([expect.objectContaining({ rule: "early-warning-disputes", closed: 1, reported: 1, falsePositives: 0, falsePositiveRate: 0 })]);
    // and the rules page says so: its column counts it as confirmed, not under a heading that reads "reported"
    const rulesPage = (await app.inject({ method: "GET", url: "/rules", headers: await bearer(auth, "tia", "rule-tuner") })).body;
    expect(rulesPage).toContain("<th scope=\"col\">Reviewers: confirmed (reported or account closed) / false positive</th>");
    expect(rulesPage).toMatch(/<tr data-rule="early-warning-disputes">(?:<td>[^<]*<\/td>){7}<td>1 \/ 0<\/td>/);

    // the terminated merchants, for the shared-infrastructure rule
    expect(await terminatedMerchants(db)).toEqual([{ merchantId: M, caseId: id, closedAt: closed.json().closedAt, terminationRef: "BANK-TERM-1" }]);

    // a closed case: a new alert opens a new case, the closed one stays as it was
    await record(db, alert(2, "2026-03-09T00:00:00Z"));
    const cases = (await db.query<{ id: string; status: string }>("SELECT case_id::text AS id, status FROM mt_cases ORDER BY case_id")).rows;
    expect(cases).toEqual([
      { id, status: "account_closed" },
      { id: expect.not.stringMatching(`^${id}$`), status: "open" },
    ]);
  });
});
