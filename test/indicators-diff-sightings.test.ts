// Partners' sightings kept on imported entries (IndicatorEntry.sightings) were no change to `indicators diff`: a
// member comparing this week's import of a partner's event with last week's could not see which entries partners had
// since seen again or reported as false positives. A difference in them is now a changed field, `sightings`; the
// same sightings written with another offset or key order are none.
import { describe, expect, it } from "vitest";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { diffSets } from "../src/app/indicators.js";

const set = (version: number, entries: object[]): IndicatorSet =>
  IndicatorSet.parse({ format: FORMAT, id: "misp:partner-event", publisher: { id: "member:partner-d" }, version, created: "2026-11-01T00:00:00Z", entries });
const entry = (id: string, sightings?: object) => ({ id, kind: "domain", value: `${id}.flagged.example`, confidence: 70, ...(sightings && { sightings }) });
const seen = { seen: 2, falsePositive: 0, expired: 0, organisations: 2, lastSeen: "2026-11-03T00:00:00Z" };

describe("indicators diff: partners' sightings", () => {
  it("a sighting more, a false positive, or sightings where there were none, is a change of the entry's sightings", () => {
    const before = set(1, [entry("s-1", seen), entry("s-2", seen), entry("s-3"), entry("s-4", seen)]);
    const after = set(2, [
      entry("s-1", { ...seen, seen: 3, lastSeen: "2026-11-05T00:00:00Z" }),
      entry("s-2", { ...seen, falsePositive: 1 }),
      entry("s-3", seen),
      // the same, written otherwise
      entry("s-4", { lastSeen: "2026-11-03T01:00:00+01:00", organisations: 2, expired: 0, falsePositive: 0, seen: 2 }),
    ]);
    expect(diffSets(before, after)).toEqual({
      added: [],
      removed: [],
      changed: [
        { id: "s-1", fields: ["sightings"] },
        { id: "s-2", fields: ["sightings"] },
        { id: "s-3", fields: ["sightings"] },
      ],
    });
  });
});
