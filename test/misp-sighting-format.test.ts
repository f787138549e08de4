// A MISP sighting as MISP's core format documents it (draft-dulaunoy-misp-core-format, "Sighting"): `type` ("0" seen,
// "1" false positive), `uuid` the sighting's own id, `date_sighting` in seconds since 1970 as a string (all three
// MUST), `source` MAY; `attribute_uuid` names the sighted attribute, as MISP writes it in an event's sightings.
// MISP's REST /sightings/add and PyMISP take the time as `timestamp`. The export wrote `date_sighted`, a key neither
// knows (a partner's MISP then dated the decision at its import), and then the attribute's uuid as `uuid`: MISP keeps
// one sighting per uuid when it syncs or bulk-saves them, so every later decision on that attribute (a dismissal
// after a confirmation, another case, another member) was dropped as one it already had.
import { describe, expect, it } from "vitest";
import { mispSighting, type MispSightingInput } from "../src/indicators/misp.js";

const ATTRIBUTE = "5e1a1b1c-0000-4000-8000-00000000000a";
// RFC 4122 layout, version 5 (name-based, SHA-1), variant 10xx
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("a MISP sighting's fields", () => {
  it("names the attribute by attribute_uuid and dates the decision by date_sighting (and timestamp), in seconds", () => {
    const s = mispSighting({ attributeUuid: ATTRIBUTE, disposition: "dismissed", source: "member:bank-b", at: "2026-03-01T00:00:00.900Z" }).Sighting;
    expect(s).toEqual({ uuid: expect.stringMatching(UUID_V5), attribute_uuid: ATTRIBUTE, type: "1", source: "member:bank-b", date_sighting: "1772323200", timestamp: "1772323200" });
    expect(s).not.toHaveProperty("date_sighted");
  });

  it("gives MISP's types as strings: 0 for a confirmed case, 1 for a dismissed one", () => {
    const at = "2026-03-01T00:00:00Z";
    expect(mispSighting({ attributeUuid: ATTRIBUTE, disposition: "confirmed", source: "m", at }).Sighting.type).toBe("0");
    expect(mispSighting({ attributeUuid: ATTRIBUTE, disposition: "dismissed", source: "m", at }).Sighting.type).toBe("1");
  });
});

describe("a MISP sighting's own uuid", () => {
  const decision: MispSightingInput = { attributeUuid: ATTRIBUTE, disposition: "confirmed", source: "member:bank-b", at: "2026-03-01T00:00:00Z", decisionId: "case-1" };
  const uuidOf = (d: MispSightingInput) => mispSighting(d).Sighting.uuid;

  it("is a UUID of its own, not the attribute's", () => {
    expect(uuidOf(decision)).toMatch(UUID_V5);
    expect(uuidOf(decision)).not.toBe(ATTRIBUTE);
    expect(uuidOf({ value: "storefront-one.example", disposition: "dismissed", source: "member:bank-b", at: decision.at })).toMatch(UUID_V5);
  });

  it("is the same when the same decision is exported again, however its time is written", () => {
    expect(uuidOf({ ...decision })).toBe(uuidOf(decision));
    expect(uuidOf({ ...decision, at: "2026-03-01T01:00:00+01:00" })).toBe(uuidOf(decision));
    expect(uuidOf({ ...decision, attributeUuid: ATTRIBUTE.toUpperCase() })).toBe(uuidOf(decision));
  });

  it("differs between decisions on one attribute: disposition, time, member, case or value", () => {
    const uuids = ([
      decision,
      { ...decision, disposition: "dismissed" },
      { ...decision, at: "2026-03-02T00:00:00Z" },
      { ...decision, at: "2026-03-01T00:00:00.001Z" },
      { ...decision, source: "member:bank-c" },
      { ...decision, decisionId: "case-2" },
      { ...decision, decisionId: undefined },
      { ...decision, value: "storefront-one.example" },
    ] satisfies MispSightingInput[]).map(uuidOf);
    expect(new Set(uuids).size).toBe(uuids.length);
  });
});
