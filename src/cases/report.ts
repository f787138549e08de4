// The compliance lead's report: whether cases are reviewed in time. Per ISO week (UTC, Monday first) the cases opened
// and decided; the outcomes and the time from a case's opening to its first decision, by typology; the open backlog
// by age and per assignee. Counted in the database (the same SQL on PostgreSQL and PGlite), from the cases and the
// audit trail's decisions, in one snapshot so that its tables agree. Counts and usernames only, never a merchant.
import { z } from "zod";
import { UTCDate } from "@date-fns/utc";
import { addWeeks } from "date-fns/addWeeks";
import { addYears } from "date-fns/addYears";
import { formatISO } from "date-fns/formatISO";
import { startOfISOWeek } from "date-fns/startOfISOWeek";
import { subDays } from "date-fns/subDays";
import { subWeeks } from "date-fns/subWeeks";
import { queryParams } from "../lib/query-params.js";
import type { Db, Queryable } from "./db.js";
import { CaseError } from "./store.js";
import { ACTIVE, CLOSED, DISMISS_REASONS, TRANSITIONS, type CaseAction } from "./workflow.js";

/** the weeks shown when none are asked for: the current one and the 11 before it */
export const DEFAULT_WEEKS = 12;
const MAX_YEARS = 2;

const Day = z.iso.date({ error: "expected a day as YYYY-MM-DD (UTC), e.g. 2026-10-05" });
export const ReportQuery = queryParams({ from: Day.optional(), to: Day.optional() }, "the report's parameters");

/** The whole ISO weeks a report covers: `start` (a Monday, 00:00 UTC) inclusive to `end` (the Monday after) exclusive. */
export interface ReportRange {
  start: Date;
  end: Date;
  /** the first day (a Monday) and the last (a Sunday), as YYYY-MM-DD */
  from: string;
  to: string;
}

const day = (d: Date): string => formatISO(d, { representation: "date" });

/**
 * The weeks a query asks for (`from`, `to`: days, UTC; an empty value, a form's blank field, is none), widened to
 * whole ISO weeks; by default the last 12 weeks to `now`'s. A day that is not one, `from` after `to` or more than two
 * years between them is refused (400) with what to send.
 */
export function reportRange(query: unknown, now: Date): ReportRange {
  const q = ReportQuery.parse(Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== "")));
  const to = new UTCDate(q.to ?? day(new UTCDate(now)));
  const from = q.from ? new UTCDate(q.from) : subWeeks(startOfISOWeek(to), DEFAULT_WEEKS - 1);
  if (from > to)
    throw new CaseError(
      400,
      q.to
        ? `from ${day(from)} is after to ${day(to)}: send from= the first day and to= the last, as YYYY-MM-DD`
        : `from ${day(from)} is after today (${day(to)}, UTC), where to= stops by default: send an earlier from=, or a to= as well`,
    );
  if (addYears(from, MAX_YEARS) < to)
    throw new CaseError(400, `from ${day(from)} to ${day(to)} is over ${MAX_YEARS} years: ask for at most ${MAX_YEARS} years at a time (to= ${day(addYears(from, MAX_YEARS))} at the latest), and for the rest in another report`);
  const start = startOfISOWeek(from);
  const end = addWeeks(startOfISOWeek(to), 1);
  return { start, end, from: day(start), to: day(subDays(end, 1)) };
}

/** Cases opened and decided in one ISO week. */
export interface WeekFigures {
  /** ISO week, as 2026-W41 */
  week: string;
  /** its Monday, YYYY-MM-DD */
  start: string;
  opened: number;
  /** decisions that closed a case, by outcome below */
  decided: number;
  reported: number;
  accountClosed: number;
  dismissed: number;
}

export type DismissReason = keyof typeof DISMISS_REASONS;
export const DISMISS_REASON_KEYS = Object.keys(DISMISS_REASONS) as DismissReason[];

export interface Outcomes {
  decided: number;
  reported: number;
  accountClosed: number;
  dismissed: number;
  dismissedBy: Record<DismissReason, number>;
  /** a reported case whose merchant's account the bank closed later: no closing decision, the case was closed */
  accountClosedAfterReport: number;
}

export interface TimeToDecision {
  /** cases first decided in the weeks */
  cases: number;
  /** half of them were decided within this many hours of opening; null without cases */
  medianHours: number | null;
  /** nine in ten within this many */
  p90Hours: number | null;
}

export interface AgeBand {
  band: string;
  fromDays: number;
  /** exclusive; null: no upper bound */
  toDays: number | null;
  cases: number;
}

export interface AssigneeLoad {
  /** null: nobody holds them */
  assignee: string | null;
  cases: number;
  oldestOpenedAt: string;
}

export interface CaseReport {
  from: string;
  to: string;
  /** when it was counted: the open backlog's ages are as of then */
  asOf: string;
  weeks: WeekFigures[];
  /** decisions taken in the weeks; a case counts under each of its typologies, once in `all` */
  outcomes: { all: Outcomes; byTypology: (Outcomes & { typology: string })[] };
  /** from opening (the case's first alert) to the first decision that closed it, for cases first decided in the weeks */
  timeToDecision: { all: TimeToDecision; byTypology: (TimeToDecision & { typology: string })[] };
  /** the cases open now (open, in review, escalated), by age */
  backlog: { total: number; bands: AgeBand[] };
  assignees: AssigneeLoad[];
  /** when the first and the latest case in the database were opened; null without cases */
  casesOpened: { first: string; last: string } | null;
}

const BANDS: Omit<AgeBand, "cases">[] = [
  { band: "under 1 day", fromDays: 0, toDays: 1 },
  { band: "1–3 days", fromDays: 1, toDays: 3 },
  { band: "3–7 days", fromDays: 3, toDays: 7 },
  { band: "7–30 days", fromDays: 7, toDays: 30 },
  { band: "30 days or more", fromDays: 30, toDays: null },
];

// the actions that can close a case: its decisions
const DECISIONS = (Object.keys(TRANSITIONS) as CaseAction["action"][]).filter((a) => CLOSED.includes(TRANSITIONS[a].to!));

// every decision in the audit trail (act() records the case's fields before and after); `closing`: it took the case
// out of the backlog, as against an account closed on a case already reported. A reopened case decided again counts again.
const decisionRows = (actions: string, active: string) =>
  `SELECT case_id, at, after->>'status' AS outcome, after->>'dismissReason' AS reason, before->>'status' = ANY(${active}::text[]) AS closing
   FROM mt_audit WHERE action = ANY(${actions}::text[]) AND case_id IS NOT NULL`;

const OUTCOME_COLUMNS = `count(*) FILTER (WHERE closing)::int AS decided,
  count(*) FILTER (WHERE closing AND outcome = 'reported')::int AS reported,
  count(*) FILTER (WHERE closing AND outcome = 'account_closed')::int AS account_closed,
  count(*) FILTER (WHERE closing AND outcome = 'dismissed')::int AS dismissed`;
// the reasons are the workflow's own names, not input
const REASON_COLUMNS = DISMISS_REASON_KEYS.map((r, i) => `count(*) FILTER (WHERE closing AND outcome = 'dismissed' AND reason = '${r}')::int AS reason_${i}`).join(",\n  ");

type Raw = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const num = (v: unknown): number | null => (v == null ? null : Number(v));

function outcomes(r: Raw): Outcomes {
  return {
    decided: Number(r.decided),
    reported: Number(r.reported),
    accountClosed: Number(r.account_closed),
    dismissed: Number(r.dismissed),
    dismissedBy: Object.fromEntries(DISMISS_REASON_KEYS.map((k, i) => [k, Number(r[`reason_${i}`])])) as Record<DismissReason, number>,
    accountClosedAfterReport: Number(r.after_report),
  };
}

const timeToDecision = (r: Raw): TimeToDecision => ({ cases: Number(r.cases), medianHours: num(r.median), p90Hours: num(r.p90) });

/** The report for the weeks of `range`, its backlog as of `now`. */
export function caseReport(db: Db, range: ReportRange, now: Date): Promise<CaseReport> {
  const span = [range.start.toISOString(), range.end.toISOString()];
  // one snapshot: the weeks' decisions and the outcomes' are the same rows
  return db.tx(async (q: Queryable) => {
    await q.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const weeks = await q.query<Raw>(
      `WITH weeks AS (
         SELECT w FROM generate_series($1::timestamptz AT TIME ZONE 'UTC', $2::timestamptz AT TIME ZONE 'UTC' - interval '1 week', interval '1 week') AS w
       ), opened AS (
         SELECT date_trunc('week', opened_at AT TIME ZONE 'UTC') AS w, count(*)::int AS opened FROM mt_cases
         WHERE opened_at >= $1::timestamptz AND opened_at < $2::timestamptz GROUP BY 1
       ), decided AS (
         SELECT date_trunc('week', at AT TIME ZONE 'UTC') AS w, ${OUTCOME_COLUMNS} FROM (${decisionRows("$3", "$4")}) d
         WHERE closing AND at >= $1::timestamptz AND at < $2::timestamptz GROUP BY 1
       )
       SELECT to_char(w, 'IYYY-"W"IW') AS week, to_char(w, 'YYYY-MM-DD') AS start, COALESCE(o.opened, 0) AS opened, COALESCE(d.decided, 0) AS decided,
              COALESCE(d.reported, 0) AS reported, COALESCE(d.account_closed, 0) AS account_closed, COALESCE(d.dismissed, 0) AS dismissed
       FROM weeks LEFT JOIN opened o USING (w) LEFT JOIN decided d USING (w) ORDER BY w`,
      [...span, DECISIONS, ACTIVE],
    );
    const decided = await q.query<Raw>(
      `WITH d AS (
         SELECT d.*, c.typologies FROM (${decisionRows("$3", "$4")}) d JOIN mt_cases c USING (case_id)
         WHERE d.at >= $1::timestamptz AND d.at < $2::timestamptz
       ), t AS (SELECT d.*, u.typology FROM d CROSS JOIN LATERAL unnest(d.typologies) AS u(typology))
       SELECT NULL::text AS typology, ${OUTCOME_COLUMNS}, ${REASON_COLUMNS}, count(*) FILTER (WHERE NOT closing AND outcome = 'account_closed')::int AS after_report FROM d
       UNION ALL
       SELECT typology, ${OUTCOME_COLUMNS}, ${REASON_COLUMNS}, count(*) FILTER (WHERE NOT closing AND outcome = 'account_closed')::int FROM t GROUP BY typology
       ORDER BY 1 NULLS FIRST`,
      [...span, DECISIONS, ACTIVE],
    );
    // percentile_disc: a time some case took, so "nine in ten within it" holds as said
    const times = await q.query<Raw>(
      `WITH firsts AS (
         SELECT case_id, min(at) AS at FROM (${decisionRows("$3", "$4")}) d WHERE closing GROUP BY case_id
       ), d AS (
         SELECT c.typologies, extract(epoch FROM f.at - c.opened_at)::float8 / 3600 AS hours
         FROM firsts f JOIN mt_cases c USING (case_id) WHERE f.at >= $1::timestamptz AND f.at < $2::timestamptz
       )
       SELECT NULL::text AS typology, count(*)::int AS cases, percentile_disc(0.5) WITHIN GROUP (ORDER BY hours) AS median,
              percentile_disc(0.9) WITHIN GROUP (ORDER BY hours) AS p90 FROM d
       UNION ALL
       SELECT u.typology, count(*)::int, percentile_disc(0.5) WITHIN GROUP (ORDER BY hours), percentile_disc(0.9) WITHIN GROUP (ORDER BY hours)
       FROM d CROSS JOIN LATERAL unnest(d.typologies) AS u(typology) GROUP BY u.typology
       ORDER BY 1 NULLS FIRST`,
      [...span, DECISIONS, ACTIVE],
    );
    // width_bucket: 0 below the second band's lower bound (a case dated ahead of now too), 1 in the second, ...
    const ages = await q.query<{ band: number; cases: number }>(
      `SELECT width_bucket(extract(epoch FROM $1::timestamptz - opened_at)::float8 / 86400, $2::float8[]) AS band, count(*)::int AS cases
       FROM mt_cases WHERE status = ANY($3::text[]) GROUP BY 1`,
      [now.toISOString(), BANDS.slice(1).map((b) => b.fromDays), ACTIVE],
    );
    const held = await q.query<Raw>(
      `SELECT assignee, count(*)::int AS cases, min(opened_at) AS oldest FROM mt_cases WHERE status = ANY($1::text[])
       GROUP BY assignee ORDER BY count(*) DESC, assignee NULLS FIRST`,
      [ACTIVE],
    );
    const opened = await q.query<Raw>("SELECT min(opened_at) AS first, max(opened_at) AS last FROM mt_cases");
    const inBand = new Map(ages.rows.map((r) => [Number(r.band), Number(r.cases)]));
    const bands = BANDS.map((b, i) => ({ ...b, cases: inBand.get(i) ?? 0 }));
    const [all, ...byTypology] = decided.rows;
    const [allTimes, ...timesByTypology] = times.rows;
    const firstLast = opened.rows[0]!;
    return {
      from: range.from,
      to: range.to,
      asOf: now.toISOString(),
      weeks: weeks.rows.map((r) => ({
        week: r.week as string,
        start: r.start as string,
        opened: Number(r.opened),
        decided: Number(r.decided),
        reported: Number(r.reported),
        accountClosed: Number(r.account_closed),
        dismissed: Number(r.dismissed),
      })),
      outcomes: { all: outcomes(all!), byTypology: byTypology.map((r) => ({ typology: r.typology as string, ...outcomes(r) })) },
      timeToDecision: { all: timeToDecision(allTimes!), byTypology: timesByTypology.map((r) => ({ typology: r.typology as string, ...timeToDecision(r) })) },
      backlog: { total: bands.reduce((n, b) => n + b.cases, 0), bands },
      assignees: held.rows.map((r) => ({ assignee: (r.assignee as string | null) ?? null, cases: Number(r.cases), oldestOpenedAt: iso(r.oldest) })),
      casesOpened: firstLast.first == null ? null : { first: iso(firstLast.first), last: iso(firstLast.last) },
    };
  });
}

/** The weekly figures as the CSV's rows, under WEEK_CSV. */
export const WEEK_CSV = ["week", "week_start", "opened", "decided", "reported", "account_closed", "dismissed"];
export const weekCsvRows = (r: CaseReport): (string | number)[][] => r.weeks.map((w) => [w.week, w.start, w.opened, w.decided, w.reported, w.accountClosed, w.dismissed]);
