// A partner's tool often lists several addresses in one STIX indicator as comparisons joined by OR, in one
// observation ([url:value = 'a' OR url:value = 'b']) or in several ([url:value = 'a'] OR [domain-name:value = 'b']):
// each comparison alone is an indicator of it, so each becomes an entry (the indicator's id with #1, #2, …) and none is
// lost. AND (all at once) and FOLLOWEDBY say more than an entry can, and are skipped with their reason as before. A
// sighting of such an entry names the partner's indicator itself.
import { describe, expect, it } from "vitest";
import { importStixBundle, parsePattern, stixSighting, TLP2_MARKING_IDS } from "../src/indicators/stix.js";

const ID = "indicator--2b4c6d8e-1111-4a2b-8c3d-4e5f60718293";
const bundle = (pattern: string) => ({
  type: "bundle",
  id: "bundle--0d1e2f30-4152-4637-8899-aabbccddeeff",
  objects: [
    {
      type: "indicator",
      spec_version: "2.1",
      id: ID,
      created: "2026-11-02T10:00:00.000Z",
      modified: "2026-11-02T10:00:00.000Z",
      pattern,
      pattern_type: "stix",
      valid_from: "2026-11-02T10:00:00Z",
      confidence: 80,
      object_marking_refs: [TLP2_MARKING_IDS.green],
    },
  ],
});

describe("a STIX indicator whose comparisons are joined by OR", () => {
  it("in one observation: an entry for each comparison", () => {
    const { set, skipped } = importStixBundle(bundle("[url:value = 'http://flagged-host.example/album/17' OR url:value = 'http://flagged-host.example/album/18']"));
    expect(skipped).toEqual([]);
    expect(set.entries).toEqual([
      { id: `${ID}#1`, kind: "url", value: "http://flagged-host.example/album/17", confidence: 80, tlp: "green", validFrom: "2026-11-02T10:00:00Z" },
      { id: `${ID}#2`, kind: "url", value: "http://flagged-host.example/album/18", confidence: 80, tlp: "green", validFrom: "2026-11-02T10:00:00Z" },
    ]);
  });

  it("across observations: an entry for each, of its own kind", () => {
    const { set, skipped } = importStixBundle(bundle("[url:value = 'http://flagged-host.example/a'] OR [domain-name:value = 'mirror-host.test'] OR [ipv4-addr:value = '192.0.2.7']"));
    expect(skipped).toEqual([]);
    expect(set.entries.map((e) => [e.id, e.kind, e.value])).toEqual([
      [`${ID}#1`, "url", "http://flagged-host.example/a"],
      [`${ID}#2`, "domain", "mirror-host.test"],
      [`${ID}#3`, "ip", "192.0.2.7"],
    ]);
  });

  it("keeps the comparisons it can map and names the one it cannot", () => {
    const { set, skipped } = importStixBundle(bundle("[domain-name:value = 'mirror-host.test' OR file:hashes.'SHA-256' = 'aa']"));
    expect(set.entries.map((e) => e.id)).toEqual([`${ID}#1`]);
    expect(skipped).toEqual([{ ref: `${ID} (comparison 2 of 2)`, reason: "no moneytrail kind for file:hashes.'SHA-256'" }]);
  });

  it("skips AND, and a mix of AND and OR, with the reason", () => {
    for (const pattern of ["[url:value = 'http://a.example/' AND url:value = 'http://b.example/']", "[url:value = 'http://a.example/'] AND [domain-name:value = 'b.example']", "[url:value = 'http://a.example/' AND url:value = 'http://b.example/'] OR [domain-name:value = 'c.example']"]) {
      const { set, skipped } = importStixBundle(bundle(pattern));
      expect(set.entries, pattern).toEqual([]);
      expect(skipped[0]!.reason, pattern).toMatch(/AND/);
    }
  });

  it("parses observations joined by OR, and still refuses FOLLOWEDBY and qualifiers", () => {
    expect(parsePattern("[url:value = 'http://a.example/'] OR [url:value = 'http://b.example/']")).toMatchObject({ ok: true, joins: ["OR"] });
    expect(parsePattern("[url:value = 'http://a.example/'] FOLLOWEDBY [url:value = 'http://b.example/']")).toMatchObject({ ok: false });
    expect(parsePattern("[url:value = 'http://a.example/'] WITHIN 5 SECONDS")).toMatchObject({ ok: false });
    expect(parsePattern("[url:value = 'http://a.example/'] OR")).toMatchObject({ ok: false });
  });

  it("a sighting of an entry split from it names the partner's indicator", () => {
    const b = stixSighting({ setId: "partner-y", entryId: `${ID}#2`, member: { id: "member:acquirer-z" }, disposition: "confirmed", at: "2026-12-01T00:00:00Z" });
    expect(b.objects.find((o) => o.type === "sighting")).toMatchObject({ sighting_of_ref: ID });
  });
});
