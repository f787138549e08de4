// The compliance lead had the queue and per-case pages only: how many cases came in and were decided each week, how,
// how long the first decision took and how old the open backlog is, she counted by hand. The report counts them in the
// database; these are its figures on the embedded database for cases and decisions at known times.
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { testDb } from "./helpers/db.js";
import { REPORT_NOW, REPORT_QUERY, SEEDED_REPORT, seedReportCases } from "./helpers/report-cases.js";
import { caseReport, reportRange } from "../src/cases/report.js";
import { CaseError } from "../src/cases/store.js";

describe("the review report's figures", { timeout: 60_000 }, () => {
  it("counts weeks, outcomes, times to first decision, age bands and assignees as seeded", async () => {
    const db = await testDb();
    try {
      await seedReportCases(db);
      const report = await caseReport(db, reportRange(REPORT_QUERY, REPORT_NOW), REPORT_NOW);
      expect(report).toEqual({ ...SEEDED_REPORT, asOf: REPORT_NOW.toISOString() });
    } finally {
      await db.close();
    }
  });

  it("says nothing of weeks without cases, and zero where none is open", async () => {
    const db = await testDb();
    try {
      const report = await caseReport(db, reportRange({}, REPORT_NOW), REPORT_NOW);
      expect(report.weeks).toHaveLength(12);
      expect(report.weeks.every((w) => w.opened === 0 && w.decided === 0)).toBe(true);
      expect(report.outcomes).toEqual({ all: expect.objectContaining({ decided: 0 }), byTypology: [] });
      expect(report.timeToDecision).toEqual({ all: { cases: 0, medianHours: null, p90Hours: null }, byTypology: [] });
      expect(report.backlog.total).toBe(0);
      expect(report.assignees).toEqual([]);
      expect(report.casesOpened).toBeNull();
    } finally {
      await db.close();
    }
  });
});

describe("the report's weeks", () => {
  it("are whole ISO weeks in UTC, by default the 12 to now's", () => {
    expect(reportRange({}, REPORT_NOW)).toMatchObject({ from: "2026-03-30", to: "2026-06-21" });
    // a Sunday late in the evening UTC is still its own week
    expect(reportRange({}, new Date("2026-06-21T23:59:59Z"))).toMatchObject({ from: "2026-03-30", to: "2026-06-21" });
    expect(reportRange({ from: "2026-06-03", to: "2026-06-08" }, REPORT_NOW)).toEqual({
      start: new Date("2026-06-01T00:00:00Z"),
      end: new Date("2026-06-15T00:00:00Z"),
      from: "2026-06-01",
      to: "2026-06-14",
    });
    // a blank form field is no value
    expect(reportRange({ from: "", to: "" }, REPORT_NOW)).toMatchObject({ from: "2026-03-30" });
    // two years exactly are taken
    expect(reportRange({ from: "2024-06-17", to: "2026-06-17" }, REPORT_NOW).from).toBe("2024-06-17");
  });

  it("refuses a day that is not one, from after to, and over two years", () => {
    for (const bad of [{ from: "2026-02-30" }, { to: "yesterday" }, { from: "2026-6-1" }, { week: "2026-W23" }]) expect(() => reportRange(bad, REPORT_NOW)).toThrow(ZodError);
    expect(() => reportRange({ from: "2026-06-10", to: "2026-06-01" }, REPORT_NOW)).toThrow(new CaseError(400, "from 2026-06-10 is after to 2026-06-01: send from= the first day and to= the last, as YYYY-MM-DD"));
    // without to=, the last day is today's
    expect(() => reportRange({ from: "2026-06-18" }, REPORT_NOW)).toThrow(new CaseError(400, "from 2026-06-18 is after today (2026-06-17, UTC), where to= stops by default: send an earlier from=, or a to= as well"));
    expect(() => reportRange({ from: "2024-06-16", to: "2026-06-17" }, REPORT_NOW)).toThrow(/over 2 years: ask for at most 2 years at a time \(to= 2026-06-16 at the latest\)/);
  });
});
