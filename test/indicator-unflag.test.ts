// A merchant flagged on an indicator alone, whose indicator is then revoked (a new version of its set without it) or
// expires (its validUntil passed in event time), is no longer flagged at once: not at its own next event, which a
// merchant already closed may never have. Merchants boarding later on its infrastructure are not linked to it.
import { describe, expect, it } from "vitest";
import { Engine } from "../src/engine.js";
import type { IndicatorSet } from "../src/indicators/schema.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, signalOf, state, M1, M2, M3, M4 } from "./helpers/events.js";
import { SHARED_RULE } from "./helpers/rules.js";

const RULES = ruleSetWith(`
  - id: fsl
    kind: flagged-site-link
    weight: 100
    typology: linked-to-flagged
    params: { minConfidence: 50, criticalConfidence: 100 }
  - id: listed
    kind: listed-identifier
    weight: 100
    typology: listed
    params: { minConfidence: 50, criticalConfidence: 100 }${SHARED_RULE}
`);
const IP = "192.0.2.81";
const LISTED = "https://listed.example/gallery/4";
const ipKey = { kind: "ip", value: IP };
const onIp = (merchantId: string, occurredAt: string, websites = ["https://shop.example/"]) =>
  merchant({ merchantId, occurredAt, websites, infrastructure: { ips: [IP], analyticsIds: [] } });
const elsewhere = (merchantId: string, occurredAt: string) => merchant({ merchantId, occurredAt, infrastructure: { ips: ["192.0.2.200"], analyticsIds: [] } });
const who = (alerts: { merchantId: string; typologies: string[] }[]) => alerts.map((a) => [a.merchantId, a.typologies]);
const next = (set: IndicatorSet, entries: IndicatorSet["entries"]): IndicatorSet => ({ ...set, version: set.version + 1, entries });

/** M2 on the IP, then M1 flagged by its listed website (its only evidence), M2 linked through the IP. */
function flagged(set: IndicatorSet): Engine {
  resetEvents();
  const engine = new Engine(RULES, indexOf(set), true);
  expect(who(feed(engine, [onIp(M2, "2026-03-01T00:00:00Z"), onIp(M1, "2026-03-01T00:01:00Z", [LISTED])]))).toEqual([
    [M1, ["linked-to-flagged"]],
    [M2, ["shared-infrastructure"]],
  ]);
  expect(state(engine, M1).flagged).toBe(true);
  engine.takeFlags();
  return engine;
}

describe("a merchant flagged on an indicator alone", () => {
  it("is unflagged when a new version of the set revokes the indicator: a merchant boarding on its IP next is not linked", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED }]);
    const engine = flagged(set);
    engine.replaceIndicators(indexOf(next(set, [{ ...set.entries[0]!, revoked: true }])));
    expect(state(engine, M1).flagged).toBe(false);
    // its signal cites only the revoked entry: dropped; the other processes are told (every key dropped)
    expect(signalOf(engine, "fsl", M1)).toBeUndefined();
    const [notice] = engine.takeFlags();
    expect(notice).toEqual(expect.objectContaining({ merchantId: M1, keys: [], dropped: [ipKey] }));
    // made without an event of M1's: the Kafka consumer writes it on M1's own partition
    expect(engine.withoutEvent(notice!)).toBe(true);
    expect(engine.takeDirty()).toContain(M1);
    expect(feed(engine, [onIp(M3, "2026-03-02T00:00:00Z")])).toEqual([]);
  });

  it("is unflagged when the set's new version leaves the entry out, and when the set is no longer in force at all", () => {
    const set = indicatorSet([
      { id: "u-1", kind: "url", value: LISTED },
      { id: "u-2", kind: "url", value: "https://other.example/x" },
    ]);
    const engine = flagged(set);
    engine.replaceIndicators(indexOf(next(set, [set.entries[1]!])));
    expect(state(engine, M1).flagged).toBe(false);
    expect(feed(engine, [onIp(M3, "2026-03-02T00:00:00Z")])).toEqual([]);

    const again = flagged(set);
    again.replaceIndicators(indexOf([]));
    expect(state(again, M1).flagged).toBe(false);
  });

  it("stays flagged while another indicator its signals cite is in force, and under a set that only adds entries", () => {
    const set = indicatorSet([
      { id: "u-1", kind: "url", value: LISTED },
      { id: "d-1", kind: "domain", value: "listed.example" },
    ]);
    const engine = flagged(set);
    // the URL's entry revoked, the domain's still lists the site
    engine.replaceIndicators(indexOf(next(set, [{ ...set.entries[0]!, revoked: true }, set.entries[1]!])));
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([]);
    engine.replaceIndicators(indexOf(next(next(set, []), [...set.entries, { id: "u-3", kind: "url", value: "https://third.example/" } as IndicatorSet["entries"][number]])));
    expect(state(engine, M1).flagged).toBe(true);
    expect(who(feed(engine, [onIp(M3, "2026-03-02T00:00:00Z")]))).toEqual([[M3, ["shared-infrastructure"]]]);
  });

  it("raises no alert and adds no signal when the new sets list a merchant (that takes its next event)", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED }]);
    const engine = flagged(set);
    const before = JSON.stringify(engine.snapshot(state(engine, M2)));
    engine.replaceIndicators(indexOf(next(set, [...set.entries, { id: "m-2", kind: "merchant-id", value: M2 } as IndicatorSet["entries"][number]])));
    expect(JSON.stringify(engine.snapshot(state(engine, M2)))).toBe(before);
    expect(engine.takeFlags()).toEqual([]);
  });

  it("is unflagged once event time passes the indicator's validUntil: a merchant boarding on its IP after it is not linked", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED, validUntil: "2026-03-10T00:00:00Z" }]);
    const engine = flagged(set);
    // before the expiry, a merchant on the IP is linked
    expect(who(feed(engine, [onIp(M3, "2026-03-09T00:00:00Z")]))).toEqual([[M3, ["shared-infrastructure"]]]);
    expect(state(engine, M1).flagged).toBe(true);
    // another merchant's event, elsewhere, after the expiry
    expect(feed(engine, [elsewhere(M4, "2026-03-10T00:00:01Z")])).toEqual([]);
    expect(state(engine, M1).flagged).toBe(false);
    // its own events are judged at their own time (one from before the expiry may come late): the signal stays
    expect(signalOf(engine, "fsl", M1)?.value).toBe(90);
    const [notice] = engine.takeFlags();
    expect(notice).toEqual(expect.objectContaining({ merchantId: M1, keys: [], dropped: [ipKey] }));
    expect(engine.withoutEvent(notice!)).toBe(true);
    expect(feed(engine, [onIp("acq-nl:M-5", "2026-03-11T00:00:00Z")])).toEqual([]);
  });

  it("a merchant boarding on its IP after the expiry is not linked, its own event being the first past it", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED, validUntil: "2026-03-10T00:00:00Z" }]);
    const engine = flagged(set);
    expect(feed(engine, [onIp(M3, "2026-03-10T00:00:00Z")])).toEqual([]);
    expect(state(engine, M1).flagged).toBe(false);
  });

  it("is unflagged when restored under sets that revoked its indicator (the indicators directory changed while the service was down)", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED }]);
    const engine = flagged(set);
    const json = JSON.stringify([...engine.merchants.values()].map((m) => engine.snapshot(m)));
    const stored = () => JSON.parse(json) as StoredMerchant[];
    const after = new Engine(RULES, indexOf(next(set, [{ ...set.entries[0]!, revoked: true }])), true);
    after.restore(stored());
    expect(state(after, M1).flagged).toBe(false);
    expect(after.takeFlags()).toEqual([expect.objectContaining({ merchantId: M1, keys: [], dropped: [ipKey] })]);
    expect(feed(after, [onIp(M3, "2026-03-02T00:00:00Z")])).toEqual([]);
    // restored under the same sets, it stays flagged
    const same = new Engine(RULES, indexOf(set), true);
    same.restore(stored());
    expect(same.takeFlags()).toEqual([]);
    expect(who(feed(same, [onIp(M3, "2026-03-02T00:00:00Z")]))).toEqual([[M3, ["shared-infrastructure"]]]);
  });
});

describe("a merchant restored flagged after its indicator expired in event time", () => {
  it("is unflagged at the restore when the restored merchants' events are past the expiry", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED, validUntil: "2026-03-10T00:00:00Z" }]);
    const engine = flagged(set);
    feed(engine, [elsewhere(M4, "2026-03-09T00:00:00Z")]);
    const snap = (ms: string[]) => ms.map((id) => JSON.parse(JSON.stringify(engine.snapshot(state(engine, id)))) as StoredMerchant);
    // as of the checkpoint, M4's latest event was before the expiry
    const stored = snap([M1, M2, M4]);
    stored.find((s) => s.id === M4)!.lastEventAt = Date.parse("2026-03-10T00:00:05Z");
    const after = new Engine(RULES, indexOf(set), true);
    after.restore(stored);
    expect(state(after, M1).flagged).toBe(false);
    expect(after.takeFlags()).toEqual([expect.objectContaining({ merchantId: M1, keys: [], dropped: [ipKey] })]);
  });

  it("a new version that extends the entry's validity keeps it flagged past the old expiry", () => {
    const set = indicatorSet([{ id: "u-1", kind: "url", value: LISTED, validUntil: "2026-03-10T00:00:00Z" }]);
    const engine = flagged(set);
    engine.replaceIndicators(indexOf(next(set, [{ ...set.entries[0]!, validUntil: "2026-04-10T00:00:00Z" }])));
    expect(feed(engine, [elsewhere(M4, "2026-03-11T00:00:00Z")])).toEqual([]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(who(feed(engine, [onIp(M3, "2026-03-12T00:00:00Z")]))).toEqual([[M3, ["shared-infrastructure"]]]);
    // and unflags it once event time passes the new one
    feed(engine, [elsewhere(M4, "2026-04-10T00:00:00Z")]);
    expect(state(engine, M1).flagged).toBe(false);
  });
});
