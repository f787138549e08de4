// A member following the README imports a partner's MISP event, then verifies it against its trust store: the set was
// refused with "ask misp-org:… for a signed copy (moneytrail indicators sign)", which a partner on MISP cannot give.
// The refusal of an unsigned set now also says what to do with one imported from STIX or MISP: vouch for it with a key
// of the member's own, listed for the set's publisher.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { importMispFeed } from "../src/indicators/misp.js";
import { loadTrustStore, verifySet } from "../src/indicators/sign.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

describe("verify: an unsigned set imported from MISP", () => {
  it("is refused saying how the member who imported it vouches for it", () => {
    const { set } = importMispFeed(join(PACKAGE_ROOT, "fixtures", "misp-sightings", "event.json"), { publisher: { id: "member:partner-d" } });
    const v = verifySet(set, loadTrustStore(join(PACKAGE_ROOT, "fixtures", "sample", "trust.json")));
    expect(v).toEqual({
      ok: false,
      reason: `set ${set.id} is not signed: ask member:partner-d for a signed copy (moneytrail indicators sign); a set you imported from STIX or MISP comes unsigned: sign it with a key of your own that your trust store lists for member:partner-d (indicators keygen --publisher member:partner-d, then indicators sign)`,
    });
  });
});
