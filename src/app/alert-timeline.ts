// A backtest's alerts over event time: A's and B's alerts counted in days, weeks or months, and each alert that
// differs between the two, so a tuner sees whether a change bites all along or in one burst. Plain functions over
// the two runs' alerts; backtest.ts keeps them and names the merchants.
import { UTCDate } from "@date-fns/utc";
import { eachDayOfInterval } from "date-fns/eachDayOfInterval";
import { eachMonthOfInterval } from "date-fns/eachMonthOfInterval";
import { eachWeekOfInterval } from "date-fns/eachWeekOfInterval";
import { formatISO } from "date-fns/formatISO";
import { startOfISOWeek } from "date-fns/startOfISOWeek";
import { startOfMonth } from "date-fns/startOfMonth";
import { z } from "zod";
import { canonicalJson } from "../lib/canonical-json.js";
import { parseTime } from "../lib/time.js";

const count = z.number().int().nonnegative();

export const BucketUnit = z.enum(["day", "week", "month"]);
export type BucketUnit = z.infer<typeof BucketUnit>;

export const TimelineBucket = z.strictObject({
  /** the bucket's first day (UTC), YYYY-MM-DD; a week starts on Monday, a month on its 1st */
  start: z.string(),
  /** alerts raised in it (by their event's time) in A and in B */
  a: count,
  b: count,
  /** of them, those the other set did not raise alike (none for that event, or another severity, score or rules) */
  aDiffering: count,
  bDiffering: count,
});
export type TimelineBucket = z.infer<typeof TimelineBucket>;

/** a differing alert: raised in A only, B only, or in both but not alike */
export const DifferingAlert = z.strictObject({ at: z.string(), in: z.enum(["a", "b", "both"]) });
export type DifferingAlert = z.infer<typeof DifferingAlert>;

/** a chart reads up to about 62 bars: days up to 62 days, weeks up to 62 weeks, months beyond */
const MAX_BUCKETS = 62;
const DAY_MS = 86_400_000;

export function bucketUnit(fromMs: number, toMs: number): BucketUnit {
  const days = (toMs - fromMs) / DAY_MS + 1;
  return days <= MAX_BUCKETS ? "day" : days <= MAX_BUCKETS * 7 ? "week" : "month";
}

const day = (d: Date): string => formatISO(d, { representation: "date" });

/** The first day of the bucket holding a time. */
export function bucketOf(unit: BucketUnit, ms: number): string {
  const d = new UTCDate(ms);
  return day(unit === "day" ? d : unit === "week" ? startOfISOWeek(d) : startOfMonth(d));
}

/** Each bucket's first day, from the one holding fromMs to the one holding toMs. */
export function bucketStarts(unit: BucketUnit, fromMs: number, toMs: number): string[] {
  const interval = { start: new UTCDate(fromMs), end: new UTCDate(toMs) };
  const days = unit === "day" ? eachDayOfInterval(interval) : unit === "week" ? eachWeekOfInterval(interval, { weekStartsOn: 1 }) : eachMonthOfInterval(interval);
  return days.map(day);
}

/** One set's alerts of a merchant by the event that raised them (`eventId#n`), with what a reviewer sees of each. */
export type AlertsByEvent = ReadonlyMap<string, { at: string; facts: unknown }>;

/** The alerts of a merchant that differ between A and B, by time: in one set only, or in both but not alike. */
export function differingAlerts(xa: AlertsByEvent | undefined, xb: AlertsByEvent | undefined): (DifferingAlert & { key: string })[] {
  const keys = new Set([...(xa?.keys() ?? []), ...(xb?.keys() ?? [])]);
  const out: (DifferingAlert & { key: string })[] = [];
  for (const key of keys) {
    const [fa, fb] = [xa?.get(key), xb?.get(key)];
    if (fa && fb && canonicalJson(fa.facts) === canonicalJson(fb.facts)) continue;
    out.push({ key, at: (fa ?? fb)!.at, in: fa && fb ? "both" : fa ? "a" : "b" });
  }
  return out.sort((x, y) => parseTime(x.at) - parseTime(y.at));
}

/**
 * A's and B's alerts counted per bucket over the span of the events run (fromMs to toMs, from --report-from on),
 * with the differing ones (each merchant's differingAlerts) counted on the side(s) that raised them.
 */
export function alertBuckets(
  unit: BucketUnit,
  fromMs: number,
  toMs: number,
  alerts: { a: Iterable<AlertsByEvent>; b: Iterable<AlertsByEvent> },
  differing: Iterable<DifferingAlert>,
): TimelineBucket[] {
  const buckets = new Map(bucketStarts(unit, fromMs, toMs).map((start) => [start, { start, a: 0, b: 0, aDiffering: 0, bDiffering: 0 }]));
  // an alert is raised at its event's time, inside the span; a bucket made for one that is not keeps nothing from being counted
  const at = (time: string) => {
    const start = bucketOf(unit, parseTime(time));
    return buckets.get(start) ?? buckets.set(start, { start, a: 0, b: 0, aDiffering: 0, bDiffering: 0 }).get(start)!;
  };
  for (const side of ["a", "b"] as const) for (const byEvent of alerts[side]) for (const x of byEvent.values()) at(x.at)[side]++;
  for (const d of differing) {
    const b = at(d.at);
    if (d.in !== "b") b.aDiffering++;
    if (d.in !== "a") b.bDiffering++;
  }
  return [...buckets.values()].sort((x, y) => x.start.localeCompare(y.start));
}
