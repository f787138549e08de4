// Event-time windows of calendar months (UTC). A window keeps the current month and the one before it,
// which is what the scheme programs measure ("this month", "prior month") and bounds state whatever the volume.
/** Months since 1970-01 (UTC) of an epoch-millisecond time. */
export function monthIndex(ms: number): number {
  // events come roughly in time order: the month of the previous call usually answers this one
  if (ms >= cache.start && ms < cache.end) return cache.index;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  cache.start = Date.UTC(y, mo, 1);
  cache.end = Date.UTC(y, mo + 1, 1);
  cache.index = y * 12 + mo - 1970 * 12;
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
 * Two buckets, [previous, current], rolled forward by event time. Returns the bucket an event of month `m`
 * counts in, or null when the event is older than the window (it is then counted nowhere: late data).
 */
export function bucketFor<B extends MonthBucket>(pair: B[], m: number, fresh: (m: number) => B): B | null {
  const cur = pair[1];
  if (!cur) {
    pair[0] = fresh(m - 1);
    pair[1] = fresh(m);
    return pair[1];
  }
  if (m === cur.m) return cur;
  if (m === cur.m - 1) return pair[0]!;
  if (m < cur.m) return null;
  pair[0] = m === cur.m + 1 ? cur : fresh(m - 1);
  pair[1] = fresh(m);
  return pair[1];
}

/** Sum of one counter over both buckets of a window. */
export function windowSum<B extends MonthBucket>(pair: B[], pick: (b: B) => number): number {
  let total = 0;
  for (const b of pair) if (b) total += pick(b);
  return total;
}

/**
 * The share part/total over both buckets of a window, with its counts; null while the total is below `minTotal`
 * (too few to mean anything) or the share below `threshold`.
 */
export function windowShare<B extends MonthBucket>(
  pair: B[],
  part: (b: B) => number,
  total: (b: B) => number,
  minTotal: number,
  threshold: number,
): { share: number; part: number; total: number } | null {
  const t = windowSum(pair, total);
  if (t < minTotal) return null;
  const n = windowSum(pair, part);
  return n / t < threshold ? null : { share: n / t, part: n, total: t };
}

/** Append to a bounded list of recent ids (evidence), dropping the oldest. */
export function pushRecent(list: string[], id: string, cap: number): void {
  if (list[list.length - 1] === id) return;
  list.push(id);
  if (list.length > cap) list.shift();
}
