// The queue as a reviewer works it: riskiest first. A rule can make a case critical whatever its score (an indicator
// match at high confidence), so severity comes before score; then the oldest; paging never shows a case twice.
import { describe, expect, it } from "vitest";
import { caseAlert, record } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import type { Severity } from "../src/decode/events.js";

const alert = (merchant: string, raisedAt: string, score: number, severity: Severity) =>
  caseAlert({ alertId: `order-${merchant}`, merchantId: `acq-test:${merchant}`, raisedAt, score, severity });

const openWeb = embeddedWeb();

describe("the case queue's order", { timeout: 60_000 }, () => {
  it("puts a critical case before higher-scored high ones, then score, then the oldest, and pages stably", async () => {
    const { db, auth, app } = await openWeb();
    await record(
      db,
      alert("M-HIGH-95", "2026-03-01T00:00:00Z", 95, "high"),
      alert("M-HIGH-90", "2026-03-02T00:00:00Z", 90, "high"),
      alert("M-CRIT-77", "2026-03-03T00:00:00Z", 77, "critical"),
      alert("M-CRIT-77-LATER", "2026-03-04T00:00:00Z", 77, "critical"),
      alert("M-MED-99", "2026-03-01T00:00:00Z", 99, "medium"),
      // same severity, score and opening: the case id decides, so a page boundary cannot split them twice
      alert("M-TIE-A", "2026-03-05T00:00:00Z", 60, "low"),
      alert("M-TIE-B", "2026-03-05T00:00:00Z", 60, "low"),
    );
    const headers = await bearer(auth, "ann");
    const expected = ["M-CRIT-77", "M-CRIT-77-LATER", "M-HIGH-95", "M-HIGH-90", "M-MED-99"].map((m) => `acq-test:${m}`);

    const all = (await app.inject({ method: "GET", url: "/api/cases", headers })).json<{ rows: { merchantId: string; caseId: string }[] }>().rows;
    expect(all.map((r) => r.merchantId).slice(0, 5)).toEqual(expected);
    const ties = all.slice(5);
    expect(ties.map((r) => r.merchantId).sort()).toEqual(["acq-test:M-TIE-A", "acq-test:M-TIE-B"]);
    expect(Number(ties[0]!.caseId)).toBeLessThan(Number(ties[1]!.caseId));

    const paged: string[] = [];
    for (let page = 1; page <= all.length; page++)
      paged.push(...(await app.inject({ method: "GET", url: `/api/cases?pageSize=1&page=${page}`, headers })).json<{ rows: { merchantId: string }[] }>().rows.map((r) => r.merchantId));
    expect(paged).toEqual(all.map((r) => r.merchantId));

    // the page lists them the same way
    const page = await app.inject({ method: "GET", url: "/cases", headers });
    const listed = [...page.body.matchAll(/<tr data-case="\d+"><td><a href="\/cases\/\d+" aria-label="Case #\d+">#\d+<\/a><\/td><td><a href="\/cases\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(listed).toEqual(all.map((r) => r.merchantId));
  });

  it("says how many pages there are, not 'page 9 of 1', when a link asks for a page past the last", async () => {
    const { db, auth, app } = await openWeb();
    await record(db, alert("M-ONE", "2026-03-01T00:00:00Z", 80, "high"), alert("M-TWO", "2026-03-02T00:00:00Z", 70, "high"));
    const headers = await bearer(auth, "ann");
    const past = (await app.inject({ method: "GET", url: "/cases?page=9", headers })).body;
    expect(past).toContain("No cases on page 9");
    expect(past).not.toMatch(/page 9 of/);
    expect(past).toMatch(/2 cases · 1 page\b/);
    const first = (await app.inject({ method: "GET", url: "/cases", headers })).body;
    expect(first).toContain("2 cases · page 1 of 1");
  });
});
