// A whole number given as text (an environment variable, a flag, a query parameter) or from code, as a zod schema.
import { z } from "zod";

/**
 * A whole number from text (the environment, a flag, a query string) or from code. Digits only: Number() would take " " as 0
 * and "0x10" as 16. Every failure gives the range, rather than zod's "expected number, received NaN".
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const open = max === Number.MAX_SAFE_INTEGER;
  const error = `expected a whole number ${open ? `of at least ${min}` : `from ${min} to ${max}`}`;
  // digits past the largest exact number fail both checks: said once, and as too large
  const above = open ? `expected a whole number of at most ${max}` : error;
  const int = { error: (i: { input?: unknown }) => (Number(i.input) > max ? above : error), abort: true };
  return z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error }).pipe(z.number().int(int).min(min, { error }).max(max, { error: above }));
}
