// A flagged merchant whose signal cites several indicators, only some of which a new version of their set revokes:
// the signal is recomputed at once from the entries still in force (the revoked citations dropped, its value and
// criticality as its rule has them without them), and the merchant is unflagged when that no longer alerts; not at
// its own next event, which a merchant already closed may never have. Nothing is added without an event.
import { describe, expect, it } from "vitest";
import { Engine } from "../src/engine.js";
import type { IndicatorSet } from "../src/indicators/schema.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, signalOf, state, M1, M2, M3 } from "./helpers/events.js";
import { SHARED_RULE } from "./helpers/rules.js";

/** flagged-site-link at weight `fsl`: a URL entry at 90 alerts at once (critical), the domain's at 60 gives 0.6 x weight */
const rules = (fsl: number) =>
  ruleSetWith(`
  - id: fsl
    kind: flagged-site-link
    weight: ${fsl}
    typology: linked-to-flagged
    params: { minConfidence: 50, criticalConfidence: 80 }
  - id: listed
    kind: listed-identifier
    weight: 100
    typology: listed
    params: { minConfidence: 50, criticalConfidence: 80 }${SHARED_RULE}
`);
const IP = "192.0.2.81";
const LISTED = "https://listed.example/gallery/4";
type Entry = IndicatorSet["entries"][number];
const SET = indicatorSet([
  { id: "u-1", kind: "url", value: LISTED, confidence: 90 },
  { id: "d-1", kind: "domain", value: "listed.example", confidence: 60 },
]);
const [URL_ENTRY, DOMAIN_ENTRY] = SET.entries as [Entry, Entry];
/** the set's next version: the URL's entry revoked, the domain's kept, and `more` */
const urlRevoked = (...more: Entry[]): IndicatorSet => ({ ...SET, version: 2, entries: [{ ...URL_ENTRY, revoked: true }, DOMAIN_ENTRY, ...more] });
const onIp = (merchantId: string, occurredAt: string, websites = ["https://shop.example/"]) =>
  merchant({ merchantId, occurredAt, websites, infrastructure: { ips: [IP], analyticsIds: [] } });
const who = (alerts: { merchantId: string; typologies: string[] }[]) => alerts.map((a) => [a.merchantId, a.typologies]);
const cites = (engine: Engine, rule: string) => signalOf(engine, rule)?.indicators.map((r) => r.id);

/** M2 on the IP, then M1 flagged by its listed website (both entries match it), M2 linked through the IP. */
function flagged(fslWeight: number): Engine {
  resetEvents();
  const engine = new Engine(rules(fslWeight), indexOf(SET), true);
  expect(who(feed(engine, [onIp(M2, "2026-03-01T00:00:00Z"), onIp(M1, "2026-03-01T00:01:00Z", [LISTED])]))).toEqual([
    [M1, ["linked-to-flagged"]],
    [M2, ["shared-infrastructure"]],
  ]);
  expect(signalOf(engine, "fsl")).toEqual(expect.objectContaining({ value: 90, critical: true }));
  expect(cites(engine, "fsl")?.sort()).toEqual(["d-1", "u-1"]);
  engine.takeFlags();
  return engine;
}

describe("a flagged merchant's signal, when a new version revokes some of the entries it cites", () => {
  it("is recomputed from the entries left, and the merchant unflagged at once when that no longer alerts", () => {
    const engine = flagged(80);
    engine.replaceIndicators(indexOf(urlRevoked()));
    // the domain's entry alone: 60, not critical; 80 x 0.6 = 48 is below the alert level
    expect(signalOf(engine, "fsl")).toEqual(expect.objectContaining({ value: 60, strength: 0.6, critical: false }));
    expect(cites(engine, "fsl")).toEqual(["d-1"]);
    expect(state(engine, M1).flagged).toBe(false);
    const [notice] = engine.takeFlags();
    expect(notice).toEqual(expect.objectContaining({ merchantId: M1, keys: [], dropped: [{ kind: "ip", value: IP }] }));
    expect(engine.withoutEvent(notice!)).toBe(true);
    // its infrastructure links no one
    expect(feed(engine, [onIp(M3, "2026-03-02T00:00:00Z")])).toEqual([]);
  });

  it("keeps the merchant flagged when the entries left still alert, its signal citing only them", () => {
    const engine = flagged(100);
    engine.replaceIndicators(indexOf(urlRevoked()));
    expect(signalOf(engine, "fsl")).toEqual(expect.objectContaining({ value: 60, critical: false }));
    expect(cites(engine, "fsl")).toEqual(["d-1"]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([]);
    expect(who(feed(engine, [onIp(M3, "2026-03-02T00:00:00Z")]))).toEqual([[M3, ["shared-infrastructure"]]]);
  });

  it("adds no entry the new version lists (that waits for the merchant's next event, which alerts on it)", () => {
    const engine = flagged(80);
    const listing: Entry = { id: "m-1", kind: "merchant-id", value: M1, confidence: 95 };
    const alsoMatching: Entry = { id: "d-2", kind: "domain", value: "gallery.listed.example", confidence: 95 };
    engine.replaceIndicators(indexOf(urlRevoked(listing, alsoMatching)));
    expect(cites(engine, "fsl")).toEqual(["d-1"]);
    expect(signalOf(engine, "listed")).toBeUndefined();
    expect(state(engine, M1).flagged).toBe(false);
    // its next event: the sets are looked at again, the new listing counts, and it alerts
    expect(who(feed(engine, [onIp(M1, "2026-03-02T00:00:00Z", [LISTED])]))).toEqual([[M1, ["listed", "linked-to-flagged"]]]);
    expect(state(engine, M1).flagged).toBe(true);
  });

  it("is recomputed at a restore under a set that revoked some of its entries (changed while the service was down)", () => {
    const engine = flagged(80);
    const stored = JSON.parse(JSON.stringify([...engine.merchants.values()].map((m) => engine.snapshot(m)))) as StoredMerchant[];
    const after = new Engine(rules(80), indexOf(urlRevoked()), true);
    after.restore(stored);
    expect(cites(after, "fsl")).toEqual(["d-1"]);
    expect(state(after, M1).flagged).toBe(false);
    expect(feed(after, [onIp(M3, "2026-03-02T00:00:00Z")])).toEqual([]);
  });
});

describe("a flagged merchant's signal, when event time passes the validUntil of some of the entries it cites", () => {
  const expiring = indicatorSet([
    { id: "u-1", kind: "url", value: LISTED, confidence: 90, validUntil: "2026-03-10T00:00:00Z" },
    { id: "d-1", kind: "domain", value: "listed.example", confidence: 60 },
  ]);
  const flaggedUntil = (fslWeight: number): Engine => {
    resetEvents();
    const engine = new Engine(rules(fslWeight), indexOf(expiring), true);
    expect(who(feed(engine, [onIp(M2, "2026-03-01T00:00:00Z"), onIp(M1, "2026-03-01T00:01:00Z", [LISTED])]))).toEqual([
      [M1, ["linked-to-flagged"]],
      [M2, ["shared-infrastructure"]],
    ]);
    engine.takeFlags();
    return engine;
  };
  const elsewhere = (merchantId: string, occurredAt: string) => merchant({ merchantId, occurredAt, infrastructure: { ips: ["192.0.2.200"], analyticsIds: [] } });

  it("counts it as its rule has it without them from then on: the merchant is unflagged at once when that no longer alerts", () => {
    const engine = flaggedUntil(80);
    // before the expiry, a merchant on the IP is linked
    expect(who(feed(engine, [onIp(M3, "2026-03-09T00:00:00Z")]))).toEqual([[M3, ["shared-infrastructure"]]]);
    expect(state(engine, M1).flagged).toBe(true);
    // another merchant's event, elsewhere, past the URL entry's expiry: the domain's entry alone is 48 points
    expect(feed(engine, [elsewhere("acq-nl:M-5", "2026-03-10T00:00:01Z")])).toEqual([]);
    expect(state(engine, M1).flagged).toBe(false);
    // its own events are judged at their own time (one from before the expiry may come late): the signal stays
    expect(signalOf(engine, "fsl")?.value).toBe(90);
    const [notice] = engine.takeFlags();
    expect(notice).toEqual(expect.objectContaining({ merchantId: M1, keys: [], dropped: [{ kind: "ip", value: IP }] }));
    expect(feed(engine, [onIp("acq-nl:M-6", "2026-03-11T00:00:00Z")])).toEqual([]);
  });

  it("keeps the merchant flagged when the entries still valid alert", () => {
    const engine = flaggedUntil(100);
    feed(engine, [elsewhere("acq-nl:M-5", "2026-03-10T00:00:01Z")]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([]);
  });
});

describe("a flagged merchant's signal, when a new version changes an entry it cites under the same id", () => {
  const only = indicatorSet([{ id: "u-1", kind: "url", value: LISTED, confidence: 90 }]);
  const flaggedOn = (): Engine => {
    resetEvents();
    const engine = new Engine(rules(80), indexOf(only), true);
    expect(who(feed(engine, [onIp(M1, "2026-03-01T00:01:00Z", [LISTED])]))).toEqual([[M1, ["linked-to-flagged"]]]);
    engine.takeFlags();
    return engine;
  };
  const changed = (e: Partial<Entry>): IndicatorSet => ({ ...only, version: 2, entries: [{ ...only.entries[0]!, ...e }] });

  it("is dropped at once when the entry's confidence falls below the rule's minimum", () => {
    const engine = flaggedOn();
    engine.replaceIndicators(indexOf(changed({ confidence: 40 })));
    expect(signalOf(engine, "fsl")).toBeUndefined();
    expect(state(engine, M1).flagged).toBe(false);
    expect(engine.takeFlags()).toEqual([expect.objectContaining({ merchantId: M1, keys: [] })]);
  });

  it("is recomputed at once with the entry's new confidence", () => {
    const engine = flaggedOn();
    engine.replaceIndicators(indexOf(changed({ confidence: 60 })));
    expect(signalOf(engine, "fsl")).toEqual(expect.objectContaining({ value: 60, critical: false }));
    expect(state(engine, M1).flagged).toBe(false);
  });

  it("is dropped at once when the entry now lists another URL (a corrected value) the merchant never linked to", () => {
    const engine = flaggedOn();
    engine.replaceIndicators(indexOf(changed({ value: "https://listed.example/gallery/5" })));
    expect(signalOf(engine, "fsl")).toBeUndefined();
    expect(state(engine, M1).flagged).toBe(false);
  });
});
