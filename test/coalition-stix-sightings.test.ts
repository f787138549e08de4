// A case that cited an entry imported from a partner's STIX bundle sent a sighting whose sighting_of_ref was an id
// moneytrail made up (a UUIDv5 of the local set id and the entry id), not the partner's indicator: the partner's tool
// could not tell which of its indicators a member confirmed or found false. The entry keeps the bundle's indicator id,
// and a sighting of it now names that id; entries of moneytrail's own sets keep the id their STIX export gives them.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { importStixBundle, stixIndicatorId, stixSighting } from "../src/indicators/stix.js";

const bundle = JSON.parse(readFileSync(join(PACKAGE_ROOT, "fixtures", "stix", "partner-tool-bundle.json"), "utf8")) as { objects: { type: string; id: string }[] };
const sightingOf = (setId: string, entryId: string) =>
  stixSighting({ setId, entryId, member: { id: "member:bank-b" }, disposition: "dismissed", at: "2026-12-07T00:00:00Z" }).objects.find((o) => o.type === "sighting") as { sighting_of_ref: string };

describe("sightings of indicators imported from STIX", () => {
  it("name the partner's indicator", () => {
    const { set } = importStixBundle(bundle, { setId: "partner-stix", publisher: { id: "member:partner-c" } });
    const partners = new Set(bundle.objects.filter((o) => o.type === "indicator").map((o) => o.id));
    expect(set.entries.length).toBeGreaterThan(0);
    for (const e of set.entries) {
      expect(partners.has(e.id)).toBe(true);
      expect(sightingOf(set.id, e.id).sighting_of_ref).toBe(e.id);
    }
  });

  it("of a moneytrail set's entry name the id its export gives it", () => {
    expect(sightingOf("hotline-a-2026-12", "a-1").sighting_of_ref).toBe(stixIndicatorId("hotline-a-2026-12", "a-1"));
  });
});
