// `indicators import --from stix` passed over a bundle's sighting objects, while a case's sightings export writes them
// (stixSighting): what one member wrote, another dropped. A sighting of an indicator the bundle carries is now summed
// onto the entries made of it (IndicatorEntry.sightings), read as stixSighting writes it: x_moneytrail_disposition
// dismissed is a false positive, confirmed or none a sighting, `count` times, by the member its where_sighted_refs
// names, at its last_seen. A bundle of sightings alone is refused, said as what it is, instead of an empty set.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, type IndicatorSet } from "../src/indicators/schema.js";
import { StixImportError, importStixBundle, stixIndicatorId, stixSighting, toStixExport, type SightingInput } from "../src/indicators/stix.js";
import { CLI } from "./helpers/cli.js";

const SET: IndicatorSet = {
  format: FORMAT,
  id: "hotline-a-2026-12",
  version: 3,
  publisher: { id: "member:hotline-a", name: "Hotline A" },
  created: "2026-12-01T00:00:00Z",
  entries: [
    { id: "a-1", kind: "url", value: "https://flagged-gallery.example/album/17", confidence: 80, tlp: "amber" },
    { id: "a-2", kind: "domain", value: "flagged-shop.example", confidence: 60, tlp: "green" },
    { id: "a-3", kind: "ip", value: "192.0.2.7", confidence: 50 },
  ],
};
type Obj = { type: string; id: string };
const decided = (entryId: string, member: string, disposition: "confirmed" | "dismissed", at: string, more: Partial<SightingInput> = {}) =>
  stixSighting({ setId: SET.id, entryId, member: { id: member }, disposition, at, ...more }).objects as Obj[];
/** The export's bundle with the sightings' objects beside its own (one copy of each identity and marking). */
function withSightings(...sightings: Obj[][]) {
  const { bundle } = toStixExport(SET);
  const objects = new Map<string, Obj>((bundle.objects as Obj[]).map((o) => [o.id, o]));
  for (const o of sightings.flat()) if (!objects.has(o.id) || o.type === "sighting") objects.set(o.id, o);
  return { ...bundle, objects: [...objects.values()] };
}

describe("a STIX bundle's sightings, imported", () => {
  it("read back as the case exports wrote them: disposition, count, member, time", () => {
    const bundle = withSightings(
      decided("a-1", "member:bank-b", "confirmed", "2026-12-03T10:00:00Z", { count: 2, decisionId: "case-1" }),
      decided("a-1", "member:bank-c", "dismissed", "2026-12-05T10:00:00Z", { decisionId: "case-2" }),
      decided("a-2", "member:bank-c", "dismissed", "2026-12-04T10:00:00Z", { decisionId: "case-3" }),
    );
    const { set, sightings } = importStixBundle(bundle);
    const of = (id: string) => set.entries.find((e) => e.id === id)?.sightings;
    expect(of("a-1")).toEqual({ seen: 2, falsePositive: 1, expired: 0, organisations: 2, lastSeen: "2026-12-05T10:00:00.000Z" });
    expect(of("a-2")).toEqual({ seen: 0, falsePositive: 1, expired: 0, organisations: 1, lastSeen: "2026-12-04T10:00:00.000Z" });
    expect(of("a-3")).toBeUndefined();
    expect(sightings).toEqual({ total: 4, seen: 2, falsePositive: 2, expired: 0, organisations: 2, entries: 2, notKept: 0 });
    // the entries are otherwise what the export's import gives
    expect(set.entries.map(({ sightings: _, ...e }) => e)).toEqual(importStixBundle(toStixExport(SET).bundle).set.entries);
  });

  it("of an indicator the bundle does not carry are counted as not kept", () => {
    const other = decided("a-1", "member:bank-b", "confirmed", "2026-12-03T10:00:00Z").map((o) =>
      o.type === "sighting" ? { ...o, sighting_of_ref: stixIndicatorId("another-set", "x-9") } : o,
    );
    expect(importStixBundle(withSightings(other)).sightings).toMatchObject({ total: 0, notKept: 1 });
  });

  it("of an indicator whose pattern has alternatives go to each of its entries; one by another tool (no disposition, no count) is one sighting", () => {
    const indicator = "indicator--5f1c6b0e-1d8a-4c55-9a57-2b1f0f3c9a11";
    const identity = "identity--8a3e2c55-0b7e-4f57-8f0e-5d5c2a1e7b21";
    const bundle = {
      type: "bundle",
      id: "bundle--0e6c3b52-8c0b-4d3f-9d43-0c2f4b9a7e10",
      objects: [
        { type: "identity", spec_version: "2.1", id: identity, created: "2026-12-01T00:00:00Z", modified: "2026-12-01T00:00:00Z", name: "Other Tool Member (synthetic)" },
        { type: "indicator", spec_version: "2.1", id: indicator, created: "2026-12-01T00:00:00Z", modified: "2026-12-01T00:00:00Z", valid_from: "2026-12-01T00:00:00Z", pattern_type: "stix", pattern: "[domain-name:value = 'one.example'] OR [domain-name:value = 'two.example']" },
        { type: "sighting", spec_version: "2.1", id: "sighting--3b0a7e4c-6c1d-4e0f-8d2a-1f5e9c7b3a20", created: "2026-12-02T00:00:00Z", modified: "2026-12-02T00:00:00Z", sighting_of_ref: indicator, where_sighted_refs: [identity] },
        { type: "sighting", spec_version: "2.1", id: "sighting--4c1b8f5d-7d2e-4f10-9e3b-2a6f0d8c4b31", created: "2026-12-02T00:00:00Z", modified: "2026-12-02T00:00:00Z", sighting_of_ref: indicator, count: 0 },
      ],
    };
    const { set, skipped } = importStixBundle(bundle);
    expect(set.entries.map((e) => [e.id, e.sightings])).toEqual([
      [`${indicator}#1`, { seen: 1, falsePositive: 0, expired: 0, organisations: 1, lastSeen: "2026-12-02T00:00:00.000Z" }],
      [`${indicator}#2`, { seen: 1, falsePositive: 0, expired: 0, organisations: 1, lastSeen: "2026-12-02T00:00:00.000Z" }],
    ]);
    expect(skipped).toContainEqual({ ref: "sighting--4c1b8f5d-7d2e-4f10-9e3b-2a6f0d8c4b31", reason: "count 0: it reports no sighting" });
  });

  it("refuses a bundle whose sighting breaks STIX, naming it", () => {
    const bad = withSightings(decided("a-1", "member:bank-b", "confirmed", "2026-12-03T10:00:00Z").map((o) => (o.type === "sighting" ? { ...o, count: -1 } : o)));
    const sighting = bad.objects.find((o) => o.type === "sighting")!;
    expect(() => importStixBundle(bad)).toThrow(StixImportError);
    expect(() => importStixBundle(bad)).toThrow(`(${sighting.id}): count:`);
  });

  it("on the command line: named in the summary; a bundle of sightings alone is refused as a report, not a set", { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-stix-sightings-"));
    writeFileSync(join(dir, "with.json"), JSON.stringify(withSightings(decided("a-1", "member:bank-b", "confirmed", "2026-12-03T10:00:00Z"))));
    const ok = spawnSync(process.execPath, [...CLI, "indicators", "import", join(dir, "with.json"), "--out", join(dir, "set.json")], { encoding: "utf8", timeout: 60_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("note: read 1 sighting from 1 organisation (1 seen) on 1 entry, kept as each entry's sightings");

    writeFileSync(join(dir, "case-7-sightings.json"), JSON.stringify(stixSighting({ setId: SET.id, entryId: "a-1", member: { id: "member:bank-b" }, disposition: "dismissed", at: "2026-12-03T10:00:00Z" })));
    const alone = spawnSync(process.execPath, [...CLI, "indicators", "import", join(dir, "case-7-sightings.json"), "--out", join(dir, "empty.json")], { encoding: "utf8", timeout: 60_000 });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain(`${join(dir, "case-7-sightings.json")} holds 1 sighting and no indicator: a member's report of what it saw of indicators (such as a case's sightings export), not a set; nothing was written`);
  });
});
