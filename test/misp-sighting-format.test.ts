// A MISP sighting as MISP's core format documents it (draft-dulaunoy-misp-core-format, "Sighting"): `type` ("0" seen,
// "1" false positive), `uuid` the sighted attribute's uuid, `date_sighting` in seconds since 1970 as a string (all
// three MUST), `source` MAY. MISP's REST /sightings/add and PyMISP take the time as `timestamp`. The export wrote
// `date_sighted`, a key neither knows (a partner's MISP then dated the decision at its import) and no `uuid`.
import { describe, expect, it } from "vitest";
import { mispSighting } from "../src/indicators/misp.js";

const ATTRIBUTE = "5e1a1b1c-0000-4000-8000-00000000000a";

describe("a MISP sighting's fields", () => {
  it("names the attribute by uuid and dates the decision by date_sighting (and timestamp), in seconds", () => {
    const s = mispSighting({ attributeUuid: ATTRIBUTE, disposition: "dismissed", source: "member:bank-b", at: "2026-03-01T00:00:00.900Z" }).Sighting;
    expect(s).toEqual({ uuid: ATTRIBUTE, attribute_uuid: ATTRIBUTE, type: "1", source: "member:bank-b", date_sighting: "1772323200", timestamp: "1772323200" });
    expect(s).not.toHaveProperty("date_sighted");
  });

  it("gives MISP's types as strings: 0 for a confirmed case, 1 for a dismissed one", () => {
    const at = "2026-03-01T00:00:00Z";
    expect(mispSighting({ attributeUuid: ATTRIBUTE, disposition: "confirmed", source: "m", at }).Sighting.type).toBe("0");
    expect(mispSighting({ attributeUuid: ATTRIBUTE, disposition: "dismissed", source: "m", at }).Sighting.type).toBe("1");
  });
});
