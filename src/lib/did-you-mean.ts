// The known name a mistyped one most likely meant, for refusals that name it (a rule file's keys and kinds, an event's type).
import { distance } from "fastest-levenshtein";

/** The known name an unknown one most likely meant: another case of it, or at most two letters off; undefined when none is. */
export function meant(name: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: k.toLowerCase() === name.toLowerCase() ? 0 : distance(k, name) })).sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= Math.min(2, name.length - 1) ? scored[0].k : undefined;
}

/** ` (did you mean "…"?)` with the name `name` most likely meant (see meant), or nothing. */
export function didYouMean(name: string, known: readonly string[]): string {
  const m = meant(name, known);
  return m ? ` (did you mean "${m}"?)` : "";
}
