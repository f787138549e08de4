// The contract: "a later merchant event replaces the profile". Later in event time: a profile event that arrives after a
// newer one (a producer's retry, a backfill) but describes the merchant as it was before is not the profile now. Of
// two with the same occurredAt, the one that arrives later is taken. It holds across a checkpoint's restore.
import { beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../src/engine.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { M1, indexOf, merchant, resetEvents, ruleSetWith } from "./helpers/events.js";

const NEW = { occurredAt: "2026-03-05T00:00:00Z", descriptor: "EXAMPLE SHOP NEW", infrastructure: { ips: ["192.0.2.20"] } };
const OLD = { occurredAt: "2026-03-01T00:00:00Z", descriptor: "EXAMPLE SHOP OLD", infrastructure: { ips: ["192.0.2.10"] } };

const engine = () => new Engine(ruleSetWith("rules: []"), indexOf());

describe("the merchant's profile", () => {
  beforeEach(() => resetEvents());

  it("is the one of the latest occurredAt, not of the latest arrival", () => {
    const e = engine();
    e.process(merchant(NEW));
    e.process(merchant(OLD));
    expect(e.merchants.get(M1)!.profile).toMatchObject({ descriptor: "EXAMPLE SHOP NEW", ips: ["192.0.2.20"] });
    // a newer one still replaces it
    e.process(merchant({ ...NEW, occurredAt: "2026-03-06T00:00:00Z", descriptor: "EXAMPLE SHOP NEWER" }));
    expect(e.merchants.get(M1)!.profile!.descriptor).toBe("EXAMPLE SHOP NEWER");
  });

  it("of two of the same time, is the one that came later", () => {
    const e = engine();
    e.process(merchant(NEW));
    e.process(merchant({ ...NEW, descriptor: "EXAMPLE SHOP SAME TIME" }));
    expect(e.merchants.get(M1)!.profile!.descriptor).toBe("EXAMPLE SHOP SAME TIME");
  });

  it("keeps its time across a checkpoint: an older one after the restore does not replace it", () => {
    const e = engine();
    e.process(merchant(NEW));
    const stored = JSON.parse(JSON.stringify(e.snapshot(e.merchants.get(M1)!))) as StoredMerchant;
    const again = engine();
    again.restore([stored]);
    again.process(merchant(OLD));
    expect(again.merchants.get(M1)!.profile!.descriptor).toBe("EXAMPLE SHOP NEW");
  });
});
