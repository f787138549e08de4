// A merchant alerted again gets a new case: its reviewer must see what was decided on the earlier ones (dismissed as
// a false positive last month, reported with a reference) and be able to look a merchant up in the queue.
import { describe, expect, it } from "vitest";
import { caseAlert, openCaseOf, record } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const alert = (n: number, merchant: string, raisedAt: string) => caseAlert({ alertId: `history-${n}`, merchantId: merchant, raisedAt });

const M = "acq-test:M-AGAIN";
const openWeb = embeddedWeb();

describe("a merchant's earlier cases", { timeout: 60_000 }, () => {
  it("are listed on its new case (page and API) with their decisions, and the queue finds a merchant's cases", async () => {
    const { db, auth, app } = await openWeb();
    const headers = await bearer(auth, "ann");
    const openCase = () => openCaseOf(db, M);
    const act = async (id: string, body: object) => expect((await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: body })).statusCode).toBe(200);

    await record(db, alert(1, M, "2026-01-01T00:00:00Z"));
    const first = await openCase();
    await act(first, { action: "dismiss", reason: "false-positive" });
    await record(db, alert(2, M, "2026-02-01T00:00:00Z"));
    const second = await openCase();
    await act(second, { action: "assign" });
    await act(second, { action: "report", reportRef: "HOTLINE-TEST-42" });
    await record(db, alert(3, M, "2026-03-01T00:00:00Z"));
    await record(db, alert(4, "acq-test:M-OTHER", "2026-03-01T00:00:00Z"));
    const third = await openCase();

    const api = (await app.inject({ method: "GET", url: `/api/cases/${third}`, headers })).json<{ otherCases: { caseId: string; status: string; reportRef: string | null; dismissReason: string | null; closedAt: string | null }[] }>();
    expect(api.otherCases.map((c) => [c.caseId, c.status, c.reportRef, c.dismissReason])).toEqual([
      [second, "reported", "HOTLINE-TEST-42", null],
      [first, "dismissed", null, "false-positive"],
    ]);
    expect(api.otherCases.every((c) => c.closedAt)).toBe(true);

    const page = (await app.inject({ method: "GET", url: `/cases/${third}`, headers })).body;
    const section = /<section id="other-cases">(.*?)<\/section>/s.exec(page)?.[1] ?? "";
    expect(section).toContain(`href="/cases/${first}"`);
    expect(section).toContain(`href="/cases/${second}"`);
    expect(section).toContain("HOTLINE-TEST-42");
    expect(section).toContain("false positive");
    // and the first case, now the oldest, names the later ones
    expect((await app.inject({ method: "GET", url: `/api/cases/${first}`, headers })).json<{ otherCases: { caseId: string }[] }>().otherCases.map((c) => c.caseId)).toEqual([third, second]);

    // the queue: one merchant's cases, open and closed
    const q = (await app.inject({ method: "GET", url: `/api/cases?status=all&merchant=${encodeURIComponent(M)}`, headers })).json<{ rows: { caseId: string; merchantId: string }[]; total: number }>();
    expect(q.total).toBe(3);
    expect(new Set(q.rows.map((r) => r.merchantId))).toEqual(new Set([M]));
    const bad = await app.inject({ method: "GET", url: `/api/cases?merchantId=${encodeURIComponent(M)}`, headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/unknown parameter merchantId; .*\bmerchant\b/);
    const queue = (await app.inject({ method: "GET", url: `/cases?status=all&merchant=${encodeURIComponent(M)}`, headers })).body;
    expect(queue).toMatch(/<input type="search" name="merchant" value="acq-test:M-AGAIN"/);
    expect([...queue.matchAll(/<tr data-case="(\d+)">/g)].map((m) => m[1]).sort()).toEqual([first, second, third].sort());
    // a link to the next page keeps the merchant
    const paged = (await app.inject({ method: "GET", url: `/cases?status=all&pageSize=1&merchant=${encodeURIComponent(M)}`, headers })).body;
    expect(paged).toContain(`merchant=${encodeURIComponent(M)}`);
  });
});
