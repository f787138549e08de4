import { beforeEach, describe, expect, it } from "vitest";
import { ACTIVITY_DAYS, EVIDENCE_CAP, activityDays, countActivity, keepEvidence, summariseEvent } from "../src/state/evidence.js";
import { newMerchant, type StoredMerchant } from "../src/state/merchant.js";
import { dayIndex } from "../src/state/window.js";
import { DAY, chargeback, crawl, feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, state, tx } from "./helpers/events.js";
import { Engine } from "../src/engine.js";

beforeEach(() => resetEvents("2026-03-10T12:00:00Z"));

const at = (e: { occurredAt: string }) => Date.parse(e.occurredAt);

describe("daily activity", () => {
  it("counts sales (not declines), their amount and chargebacks per day, oldest first", () => {
    const m = newMerchant("m");
    for (const e of [tx({ amountMinor: 1000 }), tx({ amountMinor: 500, status: "declined" }), tx({ amountMinor: 250 }), chargeback()])
      countActivity(m, e, at(e));
    const next = tx({ occurredAt: "2026-03-11T08:00:00Z", amountMinor: 99 });
    countActivity(m, next, at(next));
    const d = dayIndex(Date.parse("2026-03-10T00:00:00Z"));
    expect(activityDays(m.activity)).toEqual([
      [d, 2, 1250, 1],
      [d + 1, 1, 99, 0],
    ]);
  });

  it("counts a sale once: by its settlement, or by its authorisation where the merchant sends no settlements; refunds are none", () => {
    const engine = new Engine(ruleSetWith("rules: []"), indexOf());
    const d = dayIndex(Date.parse("2026-03-10T00:00:00Z"));
    // authorisations only: each is a sale
    feed(engine, [tx({ merchantId: "m-auth", status: "authorized", amountMinor: 100 }), tx({ merchantId: "m-auth", status: "authorized", amountMinor: 200 })]);
    expect(activityDays(engine.merchants.get("m-auth")!.activity)).toEqual([[d, 2, 300, 0]]);
    // both: once the merchant sends settlements, its authorisations are not counted again; nor are refunds
    const both = [
      tx({ merchantId: "m-both", transactionId: "t-a", amountMinor: 1000 }),
      tx({ merchantId: "m-both", transactionId: "t-b", status: "authorized", amountMinor: 500 }),
      tx({ merchantId: "m-both", transactionId: "t-b", amountMinor: 500 }),
      tx({ merchantId: "m-both", transactionId: "t-a", status: "refunded", amountMinor: 1000 }),
    ];
    feed(engine, both);
    expect(activityDays(engine.merchants.get("m-both")!.activity)).toEqual([[d, 2, 1500, 0]]);
  });

  it("puts a late event on its own day, ignores one older than the series, and keeps at most ACTIVITY_DAYS days", () => {
    const m = newMerchant("m");
    const t0 = Date.parse("2026-03-01T10:00:00Z");
    for (let i = 0; i < 50; i += 2) {
      const e = tx({ occurredAt: new Date(t0 + i * DAY).toISOString(), amountMinor: 1 });
      countActivity(m, e, at(e));
    }
    const days = activityDays(m.activity).map((x) => x[0]);
    const last = dayIndex(t0 + 48 * DAY);
    expect(days[days.length - 1]).toBe(last);
    expect(days[0]).toBeGreaterThan(last - ACTIVITY_DAYS);
    const late = tx({ occurredAt: new Date(t0 + 47 * DAY).toISOString(), amountMinor: 7 });
    countActivity(m, late, at(late));
    expect(activityDays(m.activity).find((x) => x[0] === last - 1)).toEqual([last - 1, 1, 7, 0]);
    expect(activityDays(m.activity).map((x) => x[0])).toEqual([...activityDays(m.activity).map((x) => x[0])].sort((a, b) => a - b));
    const ancient = tx({ occurredAt: new Date(t0).toISOString() });
    const before = JSON.stringify(m.activity);
    countActivity(m, ancient, at(ancient));
    expect(JSON.stringify(m.activity)).toBe(before);
  });

  it("reads a checkpoint that stored the days as arrays, and goes on counting", () => {
    const e = tx({ amountMinor: 300 });
    const d = dayIndex(at(e));
    const engine = new Engine(ruleSetWith("rules: []"), indexOf());
    const stored = { ...newMerchant("m-1"), slots: {}, activity: [[d - 1, 2, 500, 0]] };
    engine.restore([stored as unknown as StoredMerchant]);
    engine.process({ ...e, merchantId: "m-1" });
    expect(activityDays(engine.merchants.get("m-1")!.activity)).toEqual([
      [d - 1, 2, 500, 0],
      [d, 1, 300, 0],
    ]);
  });
});

describe("evidence details", () => {
  it("keeps a crawl's flagged links first, and the count of all", () => {
    const index = indexOf(indicatorSet([{ kind: "domain", value: "flagged-a.example" }]));
    const links = Array.from({ length: 20 }, (_, i) => `https://benign-${i}.example/`);
    links.push("https://www.flagged-a.example/x");
    const c = crawl({ linkedUrls: links });
    const s = summariseEvent(c, index, at(c));
    expect(s.linkedUrls![0]).toBe("https://www.flagged-a.example/x");
    expect(s.linkedUrls).toHaveLength(8);
    expect(s.linkedCount).toBe(21);
  });

  it("holds at most EVIDENCE_CAP events, once each, dropping the oldest", () => {
    const m = newMerchant("m");
    const events = Array.from({ length: EVIDENCE_CAP + 3 }, () => chargeback());
    for (const e of events) keepEvidence(m, summariseEvent(e, indexOf(), at(e)));
    keepEvidence(m, summariseEvent(events.at(-1)!, indexOf(), 0));
    expect(m.evidence!.map((e) => e.eventId)).toEqual(events.slice(3).map((e) => e.eventId));
    expect(m.evidence![0]).toMatchObject({ type: "chargeback", reasonCode: events[3]!.reasonCode, network: events[3]!.network });
  });
});

describe("which events' details a merchant keeps", () => {
  const rules = `
  - id: ratio
    kind: chargeback-ratio
    weight: 70
    typology: excessive-disputes
    params: { measure: window, levels: [{ name: early, ratio: 0.5, minCount: 3 }] }
  - id: churn
    kind: descriptor-churn
    weight: 10
    typology: brand-churn
    params: { distinct: 2, withinDays: 30 }
`;

  it("none for a merchant no rule suspects; the cited ones, and then the noted ones, once one does", () => {
    const engine = new Engine(ruleSetWith(rules), indexOf());
    feed(engine, [merchant(), ...Array.from({ length: 10 }, () => tx({ status: "settled" })), chargeback(), chargeback()]);
    // the chargebacks were noted by the ratio rule, but nothing holds against the merchant
    expect(state(engine).evidence).toBeUndefined();
    const rebrand = tx({ status: "settled", descriptor: "OTHER BRAND 555" });
    const later = chargeback();
    feed(engine, [rebrand, later]);
    expect(state(engine).evidence!.map((e) => e.eventId)).toEqual([rebrand.eventId, later.eventId]);
  });

  it("none once no signal holds any more: nothing can cite them", () => {
    const engine = new Engine(ruleSetWith(rules), indexOf());
    feed(engine, [merchant(), tx({ descriptor: "OTHER BRAND 555" })]);
    expect(state(engine).evidence).toHaveLength(1);
    // 31 days on, the first name is out of the window
    feed(engine, [tx({ descriptor: "OTHER BRAND 555", occurredAt: "2026-04-10T13:00:00Z" })]);
    expect(state(engine).signals).toEqual({});
    expect(state(engine).evidence).toBeUndefined();
  });
});
