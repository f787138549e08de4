// A wait with a bound: for calls to a broker or a database that may not answer (a hung process holds a request for
// the client's own timeouts and retries, minutes in all).

/** `p`, or a rejection once `ms` have passed without its answer. */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

/** How long a scrape of /metrics waits for a figure read from the broker or PostgreSQL. */
export const SCRAPE_WAIT_MS = 1000;

/**
 * A read made for a scrape: one at a time (a scrape during a read waits for that one rather than start another), and
 * waited for at most `ms`, so that a broker or database that does not answer still lets the scrape answer within
 * Prometheus's timeout, its gauges as last read. A failed read leaves them so too.
 */
export function scrapeRead(read: () => Promise<void>, ms = SCRAPE_WAIT_MS): () => Promise<void> {
  let reading: Promise<void> | undefined;
  return async () => {
    reading ??= read()
      .catch(() => undefined)
      .finally(() => (reading = undefined));
    await within(reading, ms).catch(() => undefined);
  };
}
