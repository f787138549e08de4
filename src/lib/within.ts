// A wait with a bound: for calls to a broker or a database that may not answer (a hung process holds a request for
// the client's own timeouts and retries, minutes in all).

/** `p`, or a rejection once `ms` have passed without its answer. */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
