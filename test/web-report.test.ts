// The review report over HTTP: the page with its charts and the same numbers in tables, the JSON, the weekly CSV,
// who may read it (reviewers and admins; not a rule tuner or an auditor), and bad weeks refused with what to send.
import { describe, expect, it } from "vitest";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { REPORT_QUERY, SEEDED_REPORT, seedReportCases } from "./helpers/report-cases.js";
import { caseAlert, openCaseOf, recordCase } from "./helpers/cases.js";
import type { CaseReport } from "../src/cases/report.js";

const openWeb = embeddedWeb();
const seeded = `from=${REPORT_QUERY.from}&to=${REPORT_QUERY.to}`;

/** The rows of the table with this id: each row's cells as text. */
const tableRows = (page: string, id: string): string[][] => {
  const body = new RegExp(`<table id="${id}">.*?<tbody>(.*?)</tbody>`, "s").exec(page)![1]!;
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1]!));
};
/** A chart's bars of one series, in order, as their numbers. */
const bars = (page: string, chart: string, series: string): number[] => {
  const svg = new RegExp(`<svg role="img" aria-labelledby="${chart}-title ${chart}-desc".*?</svg>`, "s").exec(page)![0];
  return [...svg.matchAll(new RegExp(`data-series="${series}" data-value="(\\d+)"`, "g"))].map((m) => Number(m[1]));
};

describe("the review report on the web", { timeout: 60_000 }, () => {
  it("gives reviewers and admins the seeded figures as JSON, without a merchant", async () => {
    const { db, auth, app } = await openWeb();
    await seedReportCases(db);
    for (const [name, role] of [["rev", "reviewer"], ["ada", "admin"]] as const) {
      const r = await app.inject({ method: "GET", url: `/api/report?${seeded}`, headers: await bearer(auth, name, role) });
      expect(r.statusCode, r.body).toBe(200);
      const report = r.json() as CaseReport;
      expect(report).toMatchObject({ from: SEEDED_REPORT.from, to: SEEDED_REPORT.to, weeks: SEEDED_REPORT.weeks, outcomes: SEEDED_REPORT.outcomes, timeToDecision: SEEDED_REPORT.timeToDecision });
      // the backlog is as of now: all six open cases are months old by then
      expect(report.backlog.total).toBe(6);
      expect(report.assignees.map((a) => [a.assignee, a.cases])).toEqual([[null, 3], ["rita", 2], ["sam", 1]]);
      expect(r.body).not.toContain("acq-test");
    }
  });

  it("draws the weeks and the backlog with the same numbers in the tables under them, and links the CSV", async () => {
    const { db, auth, app } = await openWeb();
    await seedReportCases(db);
    const page = await app.inject({ method: "GET", url: `/report?${seeded}`, headers: await bearer(auth, "rev") });
    expect(page.statusCode, page.body).toBe(200);
    const body = page.body;
    expect(body).toContain('<title id="weeks-title">Cases opened and decided per week</title>');
    expect(body).toMatch(/<desc id="weeks-desc">3 ISO weeks from 2026-W23 to 2026-W25: 8 cases opened and 6 decided\.<\/desc>/);
    expect(body).toContain("ISO weeks (Monday to Sunday), in UTC");
    expect(bars(body, "weeks", "opened")).toEqual([3, 2, 3]);
    expect(bars(body, "weeks", "decided")).toEqual([3, 1, 2]);
    expect(tableRows(body, "weeks-table")).toEqual(SEEDED_REPORT.weeks.map((w) => [w.week, String(w.opened), String(w.decided)]));
    const backlog = tableRows(body, "backlog-table");
    expect(backlog.map((r) => r[0])).toEqual(["under 1 day", "1–3 days", "3–7 days", "7–30 days", "30 days or more"]);
    expect(bars(body, "backlog", "open cases")).toEqual(backlog.map((r) => Number(r[1])));
    expect(tableRows(body, "time-to-decision")).toEqual([
      ["All typologies", "4", "30 h", "27 days (648 h)"],
      ["card-testing", "3", "6 days (143 h)", "27 days (648 h)"],
      ["excessive-disputes", "2", "30 h", "6 days (143 h)"],
    ]);
    expect(tableRows(body, "outcomes")).toEqual([
      ["All typologies", "6", "2", "1", "3", "1", "1", "1", "0", "1"],
      ["card-testing", "3", "1", "0", "2", "1", "1", "0", "0", "1"],
      ["excessive-disputes", "3", "1", "1", "1", "0", "0", "1", "0", "1"],
      ["linked-to-flagged", "1", "1", "0", "0", "0", "0", "0", "0", "0"],
    ]);
    expect(tableRows(body, "assignees").map((r) => r.slice(0, 2))).toEqual([["(unassigned)", "3"], ["rita", "2"], ["sam", "1"]]);
    expect(body).toContain('href="/report.csv?from=2026-06-01&amp;to=2026-06-21"');
    expect(body).toMatch(/<header>.*<a href="\/report">Review report<\/a>.*<\/header>/s);
    expect(body).not.toContain("acq-test");
  });

  it("points to the weeks that hold cases when the chosen ones hold none (the demo's sample is dated spring 2026)", async () => {
    const { db, auth, app } = await openWeb();
    const rev = await bearer(auth, "rev");
    const empty = await app.inject({ method: "GET", url: "/report", headers: rev });
    expect(empty.body).toContain("There are no cases yet.");
    await seedReportCases(db);
    const page = await app.inject({ method: "GET", url: "/report", headers: rev });
    expect(page.body).toContain(
      'No case was opened or decided in these weeks. The cases here were opened from 2026-05-01 00:00:00 UTC to 2026-06-17 00:00:00 UTC: <a href="/report?from=2026-05-01&amp;to=2026-06-17">show those weeks</a>.',
    );
    expect((await app.inject({ method: "GET", url: "/report?from=2026-05-01&to=2026-06-17", headers: rev })).body).not.toContain("No case was opened or decided");
    // over two years of cases: the last two, which one report may show
    await recordCase(db, caseAlert({ alertId: "report-old", merchantId: "acq-test:M-99", raisedAt: "2023-01-02T00:00:00Z" }));
    const long = await app.inject({ method: "GET", url: "/report", headers: rev });
    expect(long.body).toContain('<a href="/report?from=2024-06-17&amp;to=2026-06-17">show those weeks</a> (the last two years of them).');
    expect((await app.inject({ method: "GET", url: "/report?from=2024-06-17&to=2026-06-17", headers: rev })).statusCode).toBe(200);
  });

  it("gives the weekly figures as CSV", async () => {
    const { db, auth, app } = await openWeb();
    await seedReportCases(db);
    const csv = await app.inject({ method: "GET", url: `/report.csv?${seeded}`, headers: await bearer(auth, "ada", "admin") });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toBe('attachment; filename="review-report-2026-06-01-to-2026-06-21.csv"');
    expect(csv.body).toBe(
      [
        "week,week_start,opened,decided,reported,account_closed,dismissed",
        '"2026-W23","2026-06-01","3","3","2","0","1"',
        '"2026-W24","2026-06-08","2","1","0","0","1"',
        '"2026-W25","2026-06-15","3","2","0","1","1"',
        "",
      ].join("\n"),
    );
  });

  it("counts a decision taken through the API in this week", async () => {
    const { db, auth, app } = await openWeb();
    await seedReportCases(db);
    const rev = await bearer(auth, "rev");
    const id = await openCaseOf(db, "acq-test:M-5");
    for (const action of [{ action: "assign" }, { action: "dismiss", reason: "false-positive" }]) {
      const r = await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: rev, payload: action });
      expect(r.statusCode, r.body).toBe(200);
    }
    const report = (await app.inject({ method: "GET", url: "/api/report", headers: rev })).json() as CaseReport;
    expect(report.weeks).toHaveLength(12);
    expect(report.weeks.at(-1)).toMatchObject({ decided: 1, dismissed: 1 });
    expect(report.outcomes.all.dismissedBy["false-positive"]).toBe(1);
    expect(report.timeToDecision.all.cases).toBe(1);
    expect(report.backlog.total).toBe(5);
    expect(report.assignees.map((a) => [a.assignee, a.cases])).toEqual([[null, 2], ["rita", 2], ["sam", 1]]);
  });

  it("is refused to a rule tuner and an auditor, and not linked on their pages", async () => {
    const { auth, app } = await openWeb();
    for (const [name, role] of [["tina", "rule-tuner"], ["audra", "auditor"]] as const) {
      const h = await bearer(auth, name, role);
      for (const url of ["/api/report", "/report", "/report.csv"]) {
        const r = await app.inject({ method: "GET", url, headers: h });
        expect(r.statusCode, `${role} ${url}`).toBe(403);
        expect(r.body).toContain(`this needs the reviewer or admin role (cases:report)`);
      }
      const home = await app.inject({ method: "GET", url: "/audit", headers: h });
      expect(home.body).not.toContain('href="/report"');
    }
    expect((await app.inject({ method: "GET", url: "/api/report" })).statusCode).toBe(401);
  });

  it("refuses weeks it cannot read, with what to send", async () => {
    const { auth, app } = await openWeb();
    const rev = await bearer(auth, "rev");
    for (const [query, error] of [
      ["from=2026-06-10&to=2026-06-01", "from 2026-06-10 is after to 2026-06-01: send from= the first day and to= the last, as YYYY-MM-DD"],
      ["from=last%20week", "from: expected a day as YYYY-MM-DD (UTC), e.g. 2026-10-05"],
      ["to=2026-02-30", "to: expected a day as YYYY-MM-DD (UTC), e.g. 2026-10-05"],
      ["from=2024-01-01&to=2026-06-01", "from 2024-01-01 to 2026-06-01 is over 2 years: ask for at most 2 years at a time (to= 2026-01-01 at the latest), and for the rest in another report"],
      ["weeks=12", "query: unknown parameter weeks; the report's parameters are from, to"],
    ]) {
      const r = await app.inject({ method: "GET", url: `/api/report?${query}`, headers: rev });
      expect(r.statusCode, query).toBe(400);
      expect(r.json().error).toBe(error);
    }
    const page = await app.inject({ method: "GET", url: "/report?from=2026-13-01", headers: rev });
    expect(page.statusCode).toBe(400);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain("from: expected a day as YYYY-MM-DD (UTC)");
  });
});
