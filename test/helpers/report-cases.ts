// Cases and decisions at known times for the review report's tests, and the figures they must give. Decisions are
// written as CaseStore.act writes them (the case's fields before and after in the audit row), dated as given: the
// test database's role owns the tables, so it may date an audit row.
import type { Db } from "../../src/cases/db.js";
import type { CaseReport } from "../../src/cases/report.js";
import { caseAlert, recordCase } from "./cases.js";

/** The report's "now": Wednesday of ISO week 2026-W25 (Monday 2026-06-15). */
export const REPORT_NOW = new Date("2026-06-17T12:00:00Z");
/** Weeks 2026-W23 to W25 */
export const REPORT_QUERY = { from: "2026-06-01", to: "2026-06-17" };

type Fields = { status: string; assignee: string | null; reportRef: string | null; dismissReason: string | null; terminationRef: string | null };

/** One action on a case at `at`: its row updated and its audit row, as act() writes them. */
async function act(db: Db, caseId: string, at: string, action: string, actor: string, change: Partial<Fields>): Promise<void> {
  const r = await db.query<{ status: string; assignee: string | null; report_ref: string | null; dismiss_reason: string | null; termination_ref: string | null }>(
    "SELECT status, assignee, report_ref, dismiss_reason, termination_ref FROM mt_cases WHERE case_id = $1::bigint",
    [caseId],
  );
  const c = r.rows[0]!;
  const before: Fields = { status: c.status, assignee: c.assignee, reportRef: c.report_ref, dismissReason: c.dismiss_reason, terminationRef: c.termination_ref };
  const after: Fields = { ...before, ...change };
  const closed = ["reported", "dismissed", "account_closed"].includes(after.status);
  await db.query(
    "UPDATE mt_cases SET status = $2, assignee = $3, report_ref = $4, dismiss_reason = $5, termination_ref = $6, updated_at = $7::timestamptz, closed_at = $8::timestamptz WHERE case_id = $1::bigint",
    [caseId, after.status, after.assignee, after.reportRef, after.dismissReason, after.terminationRef, at, closed ? at : null],
  );
  await db.query("INSERT INTO mt_audit (at, actor, role, action, case_id, target, before, after) VALUES ($1::timestamptz, $2, 'reviewer', $3, $4::bigint, 'synthetic', $5::jsonb, $6::jsonb)", [
    at,
    actor,
    action,
    caseId,
    JSON.stringify(before),
    JSON.stringify(after),
  ]);
}

const opened = (db: Db, n: number, raisedAt: string, typologies: string[]) =>
  recordCase(db, caseAlert({ alertId: `report-${n}`, merchantId: `acq-test:M-${n}`, raisedAt, typologies }));

/**
 * Twelve synthetic merchants' cases. In weeks W23-W25: 8 opened (3, 2, 3), 6 decisions that closed a case (3, 1, 2),
 * one account closed after a report; first decisions 10, 30, 143 and 648 hours after opening; six cases open at
 * REPORT_NOW, one in each age band and two in 1-3 days (one exactly 1 day old), held by rita (2), sam (1) and nobody (3).
 */
export async function seedReportCases(db: Db): Promise<void> {
  // before the weeks: opened and decided, counted nowhere
  const m9 = await opened(db, 9, "2026-05-04T00:00:00Z", ["card-testing"]);
  await act(db, m9, "2026-05-04T09:00:00Z", "assign", "rita", { status: "in_review", assignee: "rita" });
  await act(db, m9, "2026-05-05T00:00:00Z", "report", "rita", { status: "reported", reportRef: "HOTLINE-TEST-9" });
  // first decided before the weeks, reopened and decided again in W23: a decision of the weeks, not a first one
  const m10 = await opened(db, 10, "2026-05-10T00:00:00Z", ["linked-to-flagged"]);
  await act(db, m10, "2026-05-11T00:00:00Z", "dismiss", "rita", { status: "dismissed", dismissReason: "insufficient-evidence" });
  await act(db, m10, "2026-06-02T00:00:00Z", "reopen", "rita", { status: "open", dismissReason: null });
  await act(db, m10, "2026-06-02T01:00:00Z", "assign", "rita", { status: "in_review", assignee: "rita" });
  await act(db, m10, "2026-06-03T00:00:00Z", "report", "rita", { status: "reported", reportRef: "HOTLINE-TEST-10" });
  // W23: dismissed 10 hours after opening
  const m1 = await opened(db, 1, "2026-06-01T00:00:00Z", ["card-testing"]);
  await act(db, m1, "2026-06-01T10:00:00Z", "dismiss", "sam", { status: "dismissed", dismissReason: "false-positive" });
  // W23: reported on Sunday 23:00 UTC, 143 hours after opening; the account closed in W24
  const m2 = await opened(db, 2, "2026-06-02T00:00:00Z", ["card-testing", "excessive-disputes"]);
  await act(db, m2, "2026-06-02T08:00:00Z", "assign", "sam", { status: "in_review", assignee: "sam" });
  await act(db, m2, "2026-06-07T23:00:00Z", "report", "sam", { status: "reported", reportRef: "HOTLINE-TEST-2" });
  await act(db, m2, "2026-06-09T00:00:00Z", "close-account", "sam", { status: "account_closed", terminationRef: "TERM-TEST-2" });
  // W24, opened Monday 00:00 UTC: dismissed as a duplicate after 30 hours, reopened, account closed in W25
  const m3 = await opened(db, 3, "2026-06-08T00:00:00Z", ["excessive-disputes"]);
  await act(db, m3, "2026-06-08T01:00:00Z", "assign", "rita", { status: "in_review", assignee: "rita" });
  await act(db, m3, "2026-06-09T06:00:00Z", "dismiss", "rita", { status: "dismissed", dismissReason: "duplicate" });
  await act(db, m3, "2026-06-11T00:00:00Z", "reopen", "rita", { status: "open", dismissReason: null });
  await act(db, m3, "2026-06-12T00:00:00Z", "assign", "rita", { status: "in_review", assignee: "rita" });
  await act(db, m3, "2026-06-15T00:00:00Z", "close-account", "rita", { status: "account_closed", terminationRef: "TERM-TEST-3" });
  // opened before the weeks, dismissed in W25 after 27 days (648 hours)
  const m4 = await opened(db, 4, "2026-05-20T00:00:00Z", ["card-testing"]);
  await act(db, m4, "2026-06-16T00:00:00Z", "dismiss", "sam", { status: "dismissed", dismissReason: "legitimate-business" });
  // open at REPORT_NOW
  await opened(db, 12, "2026-06-17T00:00:00Z", ["excessive-disputes"]); // 12 hours: under 1 day
  await opened(db, 5, "2026-06-16T12:00:00Z", ["excessive-disputes"]); // exactly 1 day: 1-3 days
  const m6 = await opened(db, 6, "2026-06-15T12:00:00Z", ["card-testing"]); // 2 days
  await act(db, m6, "2026-06-16T00:00:00Z", "assign", "rita", { status: "in_review", assignee: "rita" });
  const m7 = await opened(db, 7, "2026-06-12T12:00:00Z", ["card-testing"]); // 5 days: 3-7
  await act(db, m7, "2026-06-13T00:00:00Z", "assign", "sam", { status: "in_review", assignee: "sam" });
  await act(db, m7, "2026-06-14T00:00:00Z", "escalate", "sam", { status: "escalated" });
  const m11 = await opened(db, 11, "2026-06-01T12:00:00Z", ["card-testing"]); // 16 days: 7-30
  await act(db, m11, "2026-06-02T00:00:00Z", "assign", "rita", { status: "in_review", assignee: "rita" });
  await opened(db, 8, "2026-05-01T00:00:00Z", ["linked-to-flagged"]); // 47.5 days: 30 or more
}

const none = { "false-positive": 0, "legitimate-business": 0, duplicate: 0, "insufficient-evidence": 0 };

/** What the report of REPORT_QUERY at REPORT_NOW says of seedReportCases's cases. */
export const SEEDED_REPORT: Omit<CaseReport, "asOf"> = {
  from: "2026-06-01",
  to: "2026-06-21",
  weeks: [
    { week: "2026-W23", start: "2026-06-01", opened: 3, decided: 3, reported: 2, accountClosed: 0, dismissed: 1 },
    { week: "2026-W24", start: "2026-06-08", opened: 2, decided: 1, reported: 0, accountClosed: 0, dismissed: 1 },
    { week: "2026-W25", start: "2026-06-15", opened: 3, decided: 2, reported: 0, accountClosed: 1, dismissed: 1 },
  ],
  outcomes: {
    all: { decided: 6, reported: 2, accountClosed: 1, dismissed: 3, dismissedBy: { ...none, "false-positive": 1, "legitimate-business": 1, duplicate: 1 }, accountClosedAfterReport: 1 },
    byTypology: [
      { typology: "card-testing", decided: 3, reported: 1, accountClosed: 0, dismissed: 2, dismissedBy: { ...none, "false-positive": 1, "legitimate-business": 1 }, accountClosedAfterReport: 1 },
      { typology: "excessive-disputes", decided: 3, reported: 1, accountClosed: 1, dismissed: 1, dismissedBy: { ...none, duplicate: 1 }, accountClosedAfterReport: 1 },
      { typology: "linked-to-flagged", decided: 1, reported: 1, accountClosed: 0, dismissed: 0, dismissedBy: none, accountClosedAfterReport: 0 },
    ],
  },
  timeToDecision: {
    all: { cases: 4, medianHours: 30, p90Hours: 648 },
    byTypology: [
      { typology: "card-testing", cases: 3, medianHours: 143, p90Hours: 648 },
      { typology: "excessive-disputes", cases: 2, medianHours: 30, p90Hours: 143 },
    ],
  },
  backlog: {
    total: 6,
    bands: [
      { band: "under 1 day", fromDays: 0, toDays: 1, cases: 1 },
      { band: "1–3 days", fromDays: 1, toDays: 3, cases: 2 },
      { band: "3–7 days", fromDays: 3, toDays: 7, cases: 1 },
      { band: "7–30 days", fromDays: 7, toDays: 30, cases: 1 },
      { band: "30 days or more", fromDays: 30, toDays: null, cases: 1 },
    ],
  },
  assignees: [
    { assignee: null, cases: 3, oldestOpenedAt: "2026-05-01T00:00:00.000Z" },
    { assignee: "rita", cases: 2, oldestOpenedAt: "2026-06-01T12:00:00.000Z" },
    { assignee: "sam", cases: 1, oldestOpenedAt: "2026-06-12T12:00:00.000Z" },
  ],
  casesOpened: { first: "2026-05-01T00:00:00.000Z", last: "2026-06-17T00:00:00.000Z" },
};
