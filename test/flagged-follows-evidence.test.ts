// A merchant is flagged (a one-hop source for shared-infrastructure) only while its own evidence alerts: once the
// indicator that flagged it is revoked or expires, or its own signals leave their windows, its infrastructure no
// longer links the merchants that share it, in this process, in others (flag notices) and after a restore.
import { beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../src/engine.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { DAY, advance, feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, setClock, signalOf, state, tx, M1, M2, M3, M4 } from "./helpers/events.js";
import { FSL_RULE, SHARED_RULE } from "./helpers/rules.js";

const RULES = `${FSL_RULE}
  - id: churn
    kind: descriptor-churn
    weight: 100
    typology: brand-churn
    params: { distinct: 2, withinDays: 30 }${SHARED_RULE}
`;

const IP = "192.0.2.77";
const LISTED_URL = "https://listed.example/gallery/1";
const META = { id: "coalition-test", source: "member:hotline-test" };
const ENTRY = { id: "url-1", kind: "url" as const, value: LISTED_URL, confidence: 90 };
const set = (version: number, entry: Parameters<typeof indicatorSet>[0][number] = ENTRY) => ({ ...indicatorSet([entry], META), version });
const onIp = (merchantId: string, websites = ["https://shop.example/"]) => merchant({ merchantId, websites, infrastructure: { ips: [IP], analyticsIds: [] } });
const ipKey = { kind: "ip", value: IP };
const who = (alerts: { merchantId: string; typologies: string[] }[]) => alerts.map((a) => [a.merchantId, a.typologies]);
/** an engine as `moneytrail run` has it: changes tracked for persistence, so flag notices are made */
const engineOver = (indicators: ReturnType<typeof set>) => new Engine(ruleSetWith(RULES), indexOf(indicators), true);

/** A restarted engine: every merchant's state through JSON, restored into a new engine with the same sets. */
function restarted(engine: Engine): Engine {
  const stored = [...engine.merchants.values()].map((m) => JSON.parse(JSON.stringify(engine.snapshot(m))) as StoredMerchant);
  const next = new Engine(engine.ruleSet, engine.indicators, true);
  next.restore(stored);
  return next;
}

/** M2 on the IP, then M1 on it with a listed website: M1 flagged, M2 linked. */
function flagged(engine: Engine): void {
  expect(who(feed(engine, [onIp(M2), onIp(M1, [LISTED_URL])]))).toEqual([
    [M1, ["linked-to-flagged"]],
    [M2, ["shared-infrastructure"]],
  ]);
  expect(state(engine, M1).flagged).toBe(true);
  expect(engine.takeFlags()).toEqual([expect.objectContaining({ merchantId: M1, keys: [ipKey] })]);
}

beforeEach(() => resetEvents());

describe("a flagged merchant whose own evidence no longer alerts", () => {
  it("control: with the indicator in force it stays flagged, and a merchant boarding on its IP later is linked, after a restore too", () => {
    const engine = engineOver(set(1));
    flagged(engine);
    expect(feed(engine, [tx({ merchantId: M1 })])).toEqual([]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([]);
    expect(who(feed(engine, [onIp(M3)]))).toEqual([[M3, ["shared-infrastructure"]]]);
    expect(signalOf(engine, "shared", M3)?.detail).toBe(`ip with flagged merchant ${M1}`);
    expect(who(feed(restarted(engine), [onIp(M4)]))).toEqual([[M4, ["shared-infrastructure"]]]);
  });

  it("is unflagged when its indicator is revoked: a merchant boarding on its IP later is not linked, after a restore neither", () => {
    const engine = engineOver(set(1));
    flagged(engine);
    const revoked = indexOf(set(2, { ...ENTRY, revoked: true }));
    engine.replaceIndicators(revoked);
    // at once, not at its next event (which may never come)
    expect(state(engine, M1).signals).toEqual({});
    expect(state(engine, M1).flagged).toBe(false);
    // the other processes are told in the way a dropped key is: every key of the merchant, dropped; the new sets in
    // place of an event
    expect(engine.takeFlags()).toEqual([{ merchantId: M1, eventId: `indicator-sets@${revoked.fingerprint.toString(16)}`, occurredAt: expect.any(String), keys: [], dropped: [ipKey] }]);
    expect(feed(engine, [tx({ merchantId: M1 })])).toEqual([]);
    expect(engine.takeFlags()).toEqual([]);

    expect(feed(engine, [onIp(M3)])).toEqual([]);
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
    // the peer already alerted keeps its alert (history); its link to M1 is withdrawn at its next evaluation
    expect(signalOf(engine, "shared", M2)).toBeDefined();
    feed(engine, [tx({ merchantId: M2 })]);
    expect(signalOf(engine, "shared", M2)).toBeUndefined();

    const again = restarted(engine);
    expect(state(again, M1).flagged).toBe(false);
    expect(feed(again, [onIp(M4)])).toEqual([]);
    expect(signalOf(again, "shared", M4)).toBeUndefined();
  });

  it("is unflagged when its indicator expires in event time, with no new set", () => {
    const engine = engineOver(set(1, { ...ENTRY, validUntil: "2026-03-10T00:00:00Z" }));
    flagged(engine);
    setClock("2026-03-10T00:00:00Z");
    feed(engine, [tx({ merchantId: M1 })]);
    expect(state(engine, M1).flagged).toBe(false);
    expect(feed(engine, [onIp(M3)])).toEqual([]);
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
  });

  it("is unflagged when its own signals leave their windows", () => {
    const engine = engineOver(set(1));
    feed(engine, [onIp(M2), onIp(M1)]);
    // a second name beside the profile's
    expect(who(feed(engine, [tx({ merchantId: M1, descriptor: "BRAND TWO" })]))).toEqual([
      [M1, ["brand-churn"]],
      [M2, ["shared-infrastructure"]],
    ]);
    expect(state(engine, M1).flagged).toBe(true);
    // the first name leaves the 30 days while the merchant keeps the second
    advance(40 * DAY);
    feed(engine, [tx({ merchantId: M1, descriptor: "BRAND TWO" })]);
    expect(signalOf(engine, "churn", M1)).toBeUndefined();
    expect(state(engine, M1).flagged).toBe(false);
    expect(feed(engine, [onIp(M3)])).toEqual([]);
  });

  it("is flagged again when its evidence comes back, though that raises no new alert of its own", () => {
    const engine = engineOver(set(1));
    flagged(engine);
    engine.replaceIndicators(indexOf(set(2, { ...ENTRY, revoked: true })));
    feed(engine, [tx({ merchantId: M1 }), onIp(M3)]);
    engine.takeFlags();
    engine.replaceIndicators(indexOf(set(3)));
    const back = tx({ merchantId: M1 });
    // the same finding back is no new alert for M1; M3, which boarded meanwhile, is linked now
    expect(who(feed(engine, [back]))).toEqual([[M3, ["shared-infrastructure"]]]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([{ merchantId: M1, eventId: back.eventId, occurredAt: back.occurredAt, keys: [ipKey] }]);
  });

  it("is no longer flagged in another process that reads its notices, in order, once or again after a restart", () => {
    const x = engineOver(set(1));
    const y = engineOver(set(1));
    feed(x, [onIp(M1, [LISTED_URL])]);
    const notices = x.takeFlags();
    x.replaceIndicators(indexOf(set(2, { ...ENTRY, revoked: true })));
    y.replaceIndicators(indexOf(set(2, { ...ENTRY, revoked: true })));
    feed(x, [tx({ merchantId: M1 })]);
    notices.push(...x.takeFlags());
    expect(notices.map((n) => [n.keys, n.dropped])).toEqual([
      [[ipKey], undefined],
      [[], [ipKey]],
    ]);
    for (const n of notices) y.flagRemote(n);
    expect(feed(y, [onIp(M3)])).toEqual([]);
    // read again from the start: the first notice finds M3, whose trigger is applied once the page is read
    for (const n of notices) expect(y.flagRemote(n)).toEqual(n.dropped ? [] : [M3]);
    expect(y.triggerPeers(notices[0]!, [M3])).toEqual([]);
    expect(feed(y, [onIp(M4)])).toEqual([]);
    expect(signalOf(y, "shared", M4)).toBeUndefined();
  });
});
