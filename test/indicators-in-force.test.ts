// Indicator sets that change under merchants the engine already knows: a new set lists them at their next event,
// a revoked or expired entry stops counting, whatever rule matched it.
import { beforeEach, describe, expect, it } from "vitest";
import type { StoredMerchant } from "../src/state/merchant.js";
import type { Alert } from "../src/decode/events.js";
import { Engine } from "../src/engine.js";
import { engineWith, feed, hashOf, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, setClock, signalOf, state, tx, M1, M2 } from "./helpers/events.js";
import { FSL_RULE, LISTED_RULE, SHARED_RULE } from "./helpers/rules.js";

const RULES = `${LISTED_RULE}
  - id: kw
    kind: descriptor-keywords
    weight: 80
    typology: flagged-descriptor
    params: { minConfidence: 50 }${FSL_RULE}${SHARED_RULE}
`;

const EMAIL = hashOf("owner@shop.example");
const IP = "192.0.2.44";
const SET = { id: "coalition-test", source: "member:hotline-test" };
const set = (entries: Parameters<typeof indicatorSet>[0], version = 1) => ({ ...indicatorSet(entries, SET), version });

beforeEach(() => resetEvents());

/** A merchant known before a set lists it: its profile, then sales under an unchanged descriptor. */
function known(engine: Engine): Alert[] {
  return feed(engine, [
    merchant({ descriptor: "TOKALPHA CLUB", contactEmail: EMAIL, websites: ["https://gallery.flagged.example/"], infrastructure: { ips: [IP], analyticsIds: [] } }),
    tx({ descriptor: "TOKALPHA CLUB", checkout: { url: "https://pay.example/c/1", referrerUrl: "https://ref.flagged.example/p/1" } }),
    tx({ descriptor: "TOKALPHA CLUB" }),
  ]);
}

describe("indicator sets replaced under known merchants", () => {
  it.each([
    ["merchant ID", "listed", { kind: "merchant-id", value: M1 }],
    ["contact e-mail", "listed", { kind: "email-sha256", value: EMAIL }],
    ["descriptor keyword", "kw", { kind: "keyword", value: "tokalpha" }],
    ["website domain", "fsl", { kind: "domain", value: "gallery.flagged.example" }],
    ["IP address", "shared", { kind: "ip", value: IP }],
  ] as const)("a new set listing the %s alerts at the merchant's next event", (_, rule, entry) => {
    const engine = engineWith(RULES);
    expect(known(engine)).toEqual([]);
    engine.replaceIndicators(indexOf(set([{ id: "new-1", confidence: 95, ...entry }])));
    const next = tx({ descriptor: "TOKALPHA CLUB" });
    const alerts = feed(engine, [next]);
    expect(signalOf(engine, rule)?.indicators.map((r) => r.id)).toEqual(["new-1"]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ merchantId: M1, raisedAt: next.occurredAt });
  });

  it("a referrer seen before the merchant had a matched URL is not kept: it matches at its next sale", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), tx({ checkout: { url: "https://pay.example/c/1", referrerUrl: "https://ref.flagged.example/p/1" } })]);
    engine.replaceIndicators(indexOf(set([{ id: "ref", kind: "domain", value: "ref.flagged.example", confidence: 95 }])));
    feed(engine, [tx()]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
    const again = tx({ checkout: { url: "https://pay.example/c/2", referrerUrl: "https://ref.flagged.example/p/2" } });
    expect(feed(engine, [again])).toHaveLength(1);
    expect(signalOf(engine, "fsl")?.eventIds).toEqual([again.eventId]);
  });

  it("a revoked entry's match is withdrawn at the next event; the other matches stay", () => {
    const entries = [
      { id: "mail", kind: "email-sha256" as const, value: EMAIL, confidence: 70 },
      { id: "mid", kind: "merchant-id" as const, value: M1, confidence: 95 },
      { id: "kw", kind: "keyword" as const, value: "tokalpha", confidence: 95 },
      { id: "dom", kind: "domain" as const, value: "flagged.example", confidence: 95 },
      { id: "ip", kind: "ip" as const, value: IP, confidence: 95 },
    ];
    const engine = engineWith(RULES, set(entries));
    expect(known(engine)).toHaveLength(1);
    expect(Object.keys(state(engine).signals).sort()).toEqual(["fsl", "kw", "listed", "shared"]);
    expect(signalOf(engine, "listed")?.value).toBe(95);

    const revoked = (ids: string[]) => entries.map((e) => (ids.includes(e.id) ? { ...e, revoked: true } : e));
    engine.replaceIndicators(indexOf(set(revoked(["mid", "kw", "dom", "ip"]), 2)));
    feed(engine, [tx({ descriptor: "TOKALPHA CLUB" })]);
    expect(Object.keys(state(engine).signals)).toEqual(["listed"]);
    expect(signalOf(engine, "listed")).toMatchObject({ value: 70, indicators: [expect.objectContaining({ id: "mail" })], detail: "contact e-mail" });

    engine.replaceIndicators(indexOf(set(revoked(["mid", "kw", "dom", "ip", "mail"]), 3)));
    feed(engine, [tx({ descriptor: "TOKALPHA CLUB" })]);
    expect(state(engine).signals).toEqual({});
  });

  it("an identifier the profile dropped keeps its match when the sets change, unless its entry went", () => {
    const listed = { id: "mail", kind: "email-sha256" as const, value: EMAIL, confidence: 70 };
    const engine = engineWith(RULES, set([listed]));
    feed(engine, [merchant({ contactEmail: EMAIL }), merchant({ contactEmail: hashOf("new@shop.example") })]);
    engine.replaceIndicators(indexOf(set([listed, { id: "other", kind: "keyword", value: "tokbravo" }], 2)));
    feed(engine, [tx()]);
    expect(signalOf(engine, "listed")?.indicators.map((r) => r.id)).toEqual(["mail"]);
    engine.replaceIndicators(indexOf(set([{ id: "other", kind: "keyword", value: "tokbravo" }], 3)));
    feed(engine, [tx()]);
    expect(signalOf(engine, "listed")).toBeUndefined();
  });

  it("an entry that expires stops counting at the merchant's first event after its expiry, with no new set", () => {
    const engine = engineWith(RULES, set([{ id: "mid", kind: "merchant-id", value: M1, confidence: 95, validUntil: "2026-03-10T00:00:00Z" }]));
    expect(feed(engine, [tx()])).toHaveLength(1);
    expect(state(engine).indicatorsExpire).toBe(Date.parse("2026-03-10T00:00:00Z"));
    setClock("2026-03-09T23:00:00Z");
    feed(engine, [tx()]);
    expect(signalOf(engine, "listed")).toBeDefined();
    setClock("2026-03-10T00:00:00Z");
    feed(engine, [tx()]);
    expect(signalOf(engine, "listed")).toBeUndefined();
    expect(state(engine).indicatorsExpire).toBeUndefined();
  });

  it("merchants restored from a checkpoint written under other sets are checked again; under the same sets, not", () => {
    const rules = ruleSetWith(RULES);
    const before = new Engine(rules, indexOf());
    feed(before, [merchant({ merchantId: M1 }), merchant({ merchantId: M2 })]);
    const saved = [...before.merchants.values()].map((m) => JSON.parse(JSON.stringify(before.snapshot(m))) as StoredMerchant);

    const listing = indexOf(set([{ id: "mid", kind: "merchant-id", value: M1, confidence: 95 }]));
    const after = new Engine(rules, listing);
    after.restore(saved);
    expect(feed(after, [tx({ merchantId: M1 })])).toHaveLength(1);

    // a checkpoint of this engine's own merchants: their fingerprint matches, nothing is looked up again
    const again = new Engine(rules, listing);
    again.restore([...after.merchants.values()].map((m) => JSON.parse(JSON.stringify(after.snapshot(m))) as StoredMerchant));
    let lookups = 0;
    const lookup = listing.lookup.bind(listing);
    listing.lookup = (...args) => (lookups++, lookup(...args));
    feed(again, [tx({ merchantId: M1 })]);
    expect(lookups).toBe(0);
    // M2 had no event since its restore under the new sets: it is looked up at its first
    feed(again, [tx({ merchantId: M2 })]);
    expect(lookups).toBeGreaterThan(0);
  });

  it("the fingerprint follows the sets' entries, not the order the sets came in", () => {
    const a = set([{ id: "a", kind: "keyword", value: "tokalpha" }]);
    const b = { ...indicatorSet([{ id: "b", kind: "keyword", value: "tokbravo" }], { id: "other", source: "member:other" }) };
    expect(indexOf([a, b]).fingerprint).toBe(indexOf([b, a]).fingerprint);
    expect(indexOf([a]).fingerprint).not.toBe(indexOf([a, b]).fingerprint);
    const edited = set([{ id: "a", kind: "keyword", value: "tokalpha", confidence: 60 }]);
    expect(indexOf([edited]).fingerprint).not.toBe(indexOf([a]).fingerprint);
  });
});
