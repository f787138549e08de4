// Partners' sightings read at an import (MISP Sighting objects on attributes, STIX 2.1 sighting objects): summed per
// entry into IndicatorEntry.sightings, and for the import's summary. One tally serves both formats, so that a sighting
// reads the same whichever way it came.
import type { IndicatorEntry } from "./schema.js";

/** What a report says of an entry: seen (MISP 0, STIX confirmed or unmarked), a false positive (MISP 1, STIX dismissed), expired (MISP 2). */
export type SightingKind = "seen" | "falsePositive" | "expired";

/** What an import read, for its summary. */
export interface SightingsRead {
  /** sightings read (a report's count summed: a STIX sighting may count several) */
  total: number;
  seen: number;
  falsePositive: number;
  expired: number;
  /** distinct organisations named, over all entries */
  organisations: number;
  /** entries that got sightings */
  entries: number;
  /** sightings of attributes or indicators that the import did not make an entry of, not kept */
  notKept: number;
}

type Sums = Record<SightingKind, number> & { orgs: Set<string>; last: number };

export class SightingTally {
  private readonly perEntry = new Map<string, Sums>();
  private readonly orgs = new Set<string>();
  private readonly sums: Record<SightingKind, number> = { seen: 0, falsePositive: 0, expired: 0 };
  private notKept = 0;

  /**
   * A report of `count` sightings at `at` (ms) by the organisations named (none: anonymous), on the entries made of
   * the sighted attribute or indicator (none: it was not imported, and the report is counted as not kept).
   */
  add(entryIds: readonly string[], kind: SightingKind, count: number, orgs: readonly string[], at: number): void {
    if (!entryIds.length) return void (this.notKept += count);
    this.sums[kind] += count;
    for (const org of orgs) this.orgs.add(org);
    for (const id of entryIds) {
      let s = this.perEntry.get(id);
      if (!s) this.perEntry.set(id, (s = { seen: 0, falsePositive: 0, expired: 0, orgs: new Set(), last: at }));
      s[kind] += count;
      for (const org of orgs) s.orgs.add(org);
      s.last = Math.max(s.last, at);
    }
  }

  /** The entries, each with the sightings read of it. */
  onto(entries: readonly IndicatorEntry[]): IndicatorEntry[] {
    return entries.map((e) => {
      const s = this.perEntry.get(e.id);
      if (!s) return e;
      return { ...e, sightings: { seen: s.seen, falsePositive: s.falsePositive, expired: s.expired, organisations: s.orgs.size, lastSeen: new Date(s.last).toISOString() } };
    });
  }

  summary(): SightingsRead {
    const { seen, falsePositive, expired } = this.sums;
    return { total: seen + falsePositive + expired, seen, falsePositive, expired, organisations: this.orgs.size, entries: this.perEntry.size, notKept: this.notKept };
  }
}

const n = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** The import's summary line of sightings, or "" when it read none: "read 12 sightings from 3 organisations (…) on 5 entries". */
export function sightingsNote(s: SightingsRead, ofWhat: string): string {
  if (!s.total && !s.notKept) return "";
  const kinds = [
    ...(s.seen ? [`${s.seen} seen`] : []),
    ...(s.falsePositive ? [`${s.falsePositive} false positive`] : []),
    ...(s.expired ? [`${s.expired} expired`] : []),
  ].join(", ");
  const kept = s.total
    ? `read ${n(s.total, "sighting")} from ${n(s.organisations, "organisation")}${kinds ? ` (${kinds})` : ""} on ${n(s.entries, "entry", "entries")}, kept as each entry's sightings (shown by indicators stats; matching and confidence are unchanged)`
    : "read no sighting of an imported entry";
  const lost = s.notKept ? `; ${n(s.notKept, "sighting")} of ${ofWhat} not imported, not kept` : "";
  return `note: ${kept}${lost}\n`;
}
