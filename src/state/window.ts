// Event-time windows of calendar months (UTC). A window keeps the current month and the one before it,
// which is what the scheme programs measure ("this month", "prior month") and bounds state whatever the volume.
import { UTCDate } from "@date-fns/utc";
// one module each: the package's index loads all of date-fns, a third of a second at every start
import { addMonths } from "date-fns/addMonths";
import { differenceInCalendarMonths } from "date-fns/differenceInCalendarMonths";
import { startOfMonth } from "date-fns/startOfMonth";

const EPOCH = new UTCDate(0);

/** Months since 1970-01 (UTC) of an epoch-millisecond time. */
export function monthIndex(ms: number): number {
  // events come roughly in time order: the month of the previous call answers nearly every call (all but 2 of
  // bench:engine's 1M events), so date-fns's objects are made only when the month changes
  if (ms >= cache.start && ms < cache.end) return cache.index;
  const start = startOfMonth(new UTCDate(ms));
  cache.start = start.getTime();
  cache.end = addMonths(start, 1).getTime();
  cache.index = differenceInCalendarMonths(start, EPOCH);
  return cache.index;
}
const cache = { start: 0, end: 0, index: 0 };

/** Days since 1970-01-01 (UTC) of an epoch-millisecond time. */
export function dayIndex(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

/** A bucket of counters for one month; `m` is its monthIndex. */
export interface MonthBucket {
  m: number;
}

/**
 * A window of two month buckets rolled forward by event time: `month`, the latest month seen, and `prevMonth`, the
 * one before it. Two fields of the state that holds them rather than an array of two: at 100k merchants every hop
 * to another object is a likely cache miss, and the counts are read on every event.
 */
export interface MonthPair<B extends MonthBucket> {
  month?: B;
  prevMonth?: B;
}

/**
 * The bucket an event of month `m` counts in, or null when the event is older than the window (it is then counted
 * nowhere: late data). The window is first brought up to month `now`, the month of the merchant's latest event: every
 * window of a merchant ends where the merchant's clock is, so one first made by a late event (a backlog of chargebacks
 * from months ago) does not start in the past and count what no window holds.
 */
export function bucketFor<B extends MonthBucket>(w: MonthPair<B>, m: number, now: number, fresh: (m: number) => B): B | null {
  const cur = w.month;
  const top = Math.max(m, now);
  if (!cur || cur.m < top) {
    w.prevMonth = cur?.m === top - 1 ? cur : fresh(top - 1);
    w.month = fresh(top);
  }
  const month = w.month!;
  if (m === month.m) return month;
  return m === month.m - 1 ? w.prevMonth! : null;
}

/**
 * A window as stored, in this shape or in the one written before it (`months: [previous, current]`), so a checkpoint
 * of an earlier version resumes with its counts.
 */
export function storedPair<T extends MonthPair<MonthBucket>>(stored: T | (Omit<T, keyof MonthPair<MonthBucket>> & { months?: MonthBucket[] })): T {
  if (!("months" in stored) || !Array.isArray(stored.months)) return stored as T;
  const { months, ...rest } = stored;
  return { ...rest, ...(months.length === 2 && { prevMonth: months[0], month: months[1] }) } as unknown as T;
}

/** Sum of one counter over both buckets of a window. */
export function windowSum<B extends MonthBucket>(w: MonthPair<B>, pick: (b: B) => number): number {
  return (w.month ? pick(w.month) : 0) + (w.prevMonth ? pick(w.prevMonth) : 0);
}

/**
 * The share part/total over both buckets of a window, with its counts; null while the total is below `minTotal`
 * (too few to mean anything) or the share below `threshold`.
 */
export function windowShare<B extends MonthBucket>(
  w: MonthPair<B>,
  part: (b: B) => number,
  total: (b: B) => number,
  minTotal: number,
  threshold: number,
): { share: number; part: number; total: number } | null {
  const t = windowSum(w, total);
  if (t < minTotal) return null;
  const n = windowSum(w, part);
  return n / t < threshold ? null : { share: n / t, part: n, total: t };
}

/** How a rule counts a share in its buckets: the part, and the total it is a share of. */
export interface Counted<B> {
  part: (b: B) => number;
  total: (b: B) => number;
}

/**
 * The share of sales (windowShare) a rule counts apart by status: over settlements when the window holds any, else
 * over authorisations (a processor that sends only those), so a sale sent twice is counted once; `settled` says which.
 */
export function saleShare<B extends MonthBucket>(
  w: MonthPair<B>,
  settled: Counted<B>,
  authorised: Counted<B>,
  minTotal: number,
  threshold: number,
): { share: number; part: number; total: number; settled: boolean } | null {
  const s = windowSum(w, settled.total) > 0;
  const c = s ? settled : authorised;
  const share = windowShare(w, c.part, c.total, minTotal, threshold);
  return share && { ...share, settled: s };
}

/** Append to a bounded list of recent ids (evidence), dropping the oldest. */
export function pushRecent(list: string[], id: string, cap: number): void {
  if (list[list.length - 1] === id) return;
  list.push(id);
  if (list.length > cap) list.shift();
}
