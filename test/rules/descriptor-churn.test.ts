import { beforeEach, describe, expect, it } from "vitest";
import { DAY, DEFAULT_START, M2, chargeback, engineWith, feed, merchant, resetEvents, signalOf, tx } from "../helpers/events.js";

const RULES = `
  - id: churn
    kind: descriptor-churn
    weight: 60
    typology: brand-churn
    params: { distinct: 3, withinDays: 30 }
`;

/** noon of day n after the start */
const day = (n: number): string => new Date(Date.parse(DEFAULT_START) + n * DAY + DAY / 2).toISOString();

beforeEach(() => resetEvents());

describe("descriptor-churn", () => {
  it("fires at `distinct` different descriptors within `withinDays`, from the profile and from sales", () => {
    const engine = engineWith(RULES);
    const a = merchant({ descriptor: "ALPHA SHOP 0201234567", occurredAt: day(0) });
    const b = tx({ descriptor: "BRAVO-SHOP", occurredAt: day(5) });
    feed(engine, [a, b]);
    expect(signalOf(engine, "churn")).toBeUndefined();
    const c = tx({ descriptor: "Charlie Shop", occurredAt: day(10) });
    const alerts = feed(engine, [c]);
    expect(signalOf(engine, "churn")).toEqual({
      value: 3,
      threshold: 3,
      strength: 1,
      critical: false,
      eventIds: [a.eventId, b.eventId, c.eventId],
      indicators: [],
      detail: '"alpha shop", "bravo shop", "charlie shop"',
      since: c.occurredAt,
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals[0]).toMatchObject({
      rule: "churn",
      value: 3,
      threshold: 3,
      explanation: '3 distinct descriptors within 30 days (threshold 3): "alpha shop", "bravo shop", "charlie shop"',
      evidence: { eventIds: [a.eventId, b.eventId, c.eventId] },
    });
  });

  it("a fourth descriptor raises the value", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(1) }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: day(2) }),
      tx({ descriptor: "DELTA SHOP", occurredAt: day(3) }),
    ]);
    expect(signalOf(engine, "churn")).toMatchObject({ value: 4, eventIds: ["e-1", "e-2", "e-3", "e-4"] });
  });

  it("does not fire when only the phone number (or case, or punctuation) changes", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP 0201234567", occurredAt: day(0) }),
      tx({ descriptor: "ALPHA SHOP 0209876543", occurredAt: day(1) }),
      tx({ descriptor: "ALPHA SHOP +31 20 555 0000", occurredAt: day(2) }),
      tx({ descriptor: "alpha*shop 0301111111", occurredAt: day(3) }),
      tx({ descriptor: "ALPHA-SHOP", occurredAt: day(4) }),
    ]);
    expect(signalOf(engine, "churn")).toBeUndefined();
  });

  it("going back and forth between two descriptors is two, not more", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(1) }),
      tx({ descriptor: "ALPHA SHOP", occurredAt: day(2) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(3) }),
      tx({ descriptor: "ALPHA SHOP", occurredAt: day(4) }),
    ]);
    expect(signalOf(engine, "churn")).toBeUndefined();
  });

  it("descriptors last seen more than `withinDays` ago drop out", () => {
    const late = engineWith(RULES);
    feed(late, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(10) }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: day(35) }),
    ]);
    expect(signalOf(late, "churn")).toBeUndefined();

    resetEvents();
    const inTime = engineWith(RULES);
    feed(inTime, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(10) }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: day(29) }),
    ]);
    expect(signalOf(inTime, "churn")?.value).toBe(3);
    // day 41: alpha (day 0) and bravo (day 10) are out of the window; charlie and delta make two
    feed(inTime, [tx({ descriptor: "DELTA SHOP", occurredAt: day(41) })]);
    expect(signalOf(inTime, "churn")).toBeUndefined();
  });

  it("a churn that held is withdrawn once it ages out while the merchant keeps one name", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(2) }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: day(4) }),
    ]);
    expect(signalOf(engine, "churn")?.value).toBe(3);
    // charlie every day: alpha (day 0) is in the window up to day 30, out of it on day 31
    for (let d = 5; d <= 30; d++) feed(engine, [tx({ descriptor: "CHARLIE SHOP", occurredAt: day(d) })]);
    expect(signalOf(engine, "churn")?.value).toBe(3);
    feed(engine, [tx({ descriptor: "CHARLIE SHOP", occurredAt: day(31) })]);
    expect(signalOf(engine, "churn")).toBeUndefined();
  });

  it("a churn lapses at the merchant's first event after its window, though that event carries no descriptor", () => {
    const engine = engineWith(RULES);
    const names = (merchantId: string) => [
      merchant({ merchantId, descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      merchant({ merchantId, descriptor: "BRAVO SHOP", occurredAt: day(1) }),
      merchant({ merchantId, descriptor: "CHARLIE SHOP", occurredAt: day(2) }),
    ];
    // a processor that puts no descriptor on its sales: the names come from profile changes alone
    feed(engine, [...names("acq-nl:M-1"), ...names(M2)]);
    expect(signalOf(engine, "churn")?.value).toBe(3);
    feed(engine, [tx({ occurredAt: day(30) })]);
    expect(signalOf(engine, "churn")?.value).toBe(3);
    // day 31: alpha (day 0) has left the window, whether a sale or a chargeback brings the merchant there
    feed(engine, [tx({ occurredAt: day(31) }), chargeback({ merchantId: M2, occurredAt: day(31) })]);
    expect(signalOf(engine, "churn")).toBeUndefined();
    expect(signalOf(engine, "churn", M2)).toBeUndefined();
  });

  it("when a name ages out and enough remain, the finding holds on those still in the window", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(2) }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: day(4) }),
      tx({ descriptor: "DELTA SHOP", occurredAt: day(6) }),
    ]);
    expect(signalOf(engine, "churn")).toMatchObject({ value: 4, eventIds: ["e-1", "e-2", "e-3", "e-4"] });
    feed(engine, [tx({ descriptor: "DELTA SHOP", occurredAt: day(31) })]);
    expect(signalOf(engine, "churn")).toMatchObject({ value: 3, eventIds: ["e-2", "e-3", "e-4"], detail: '"bravo shop", "charlie shop", "delta shop"' });
  });

  it("names less than withinDays apart are within it whatever the hours: 29 days and 2 minutes", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: "2026-03-01T23:59:00Z" }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: "2026-03-15T12:00:00Z" }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: "2026-03-31T00:01:00Z" }),
    ]);
    expect(signalOf(engine, "churn")?.value).toBe(3);
  });

  it("a descriptor still in use stays in the window", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) })]);
    for (let d = 1; d <= 25; d++) feed(engine, [tx({ descriptor: "ALPHA SHOP", occurredAt: day(d) })]);
    feed(engine, [tx({ descriptor: "BRAVO SHOP", occurredAt: day(40) }), tx({ descriptor: "CHARLIE SHOP", occurredAt: day(41) })]);
    // alpha was last seen on day 25, within 30 days of day 41
    expect(signalOf(engine, "churn")).toMatchObject({ value: 3, detail: '"alpha shop", "bravo shop", "charlie shop"' });
  });

  it("descriptors of events that arrive late, older than the window, count nowhere", () => {
    const engine = engineWith(RULES);
    // the merchant's latest day is 100; two sales of days 0 and 1 arrive late
    feed(engine, [
      merchant({ descriptor: "ALPHA SHOP", occurredAt: day(100) }),
      tx({ descriptor: "BRAVO SHOP", occurredAt: day(0) }),
      tx({ descriptor: "CHARLIE SHOP", occurredAt: day(1) }),
    ]);
    expect(signalOf(engine, "churn")).toBeUndefined();
    // nor do they linger: one new name on day 101 is two names in the window, not four
    feed(engine, [tx({ descriptor: "DELTA SHOP", occurredAt: day(101) })]);
    expect(signalOf(engine, "churn")).toBeUndefined();
  });

  it("a descriptor that arrives out of order within the window counts by its own day; the newest name stays the newest", () => {
    const engine = engineWith(RULES);
    const a = merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) });
    const c = tx({ descriptor: "CHARLIE SHOP", occurredAt: day(20) });
    const b = tx({ descriptor: "BRAVO SHOP", occurredAt: day(10) });
    feed(engine, [a, c, b]);
    expect(signalOf(engine, "churn")).toMatchObject({ value: 3, eventIds: [a.eventId, b.eventId, c.eventId], detail: '"alpha shop", "bravo shop", "charlie shop"' });
    // charlie, the name in use, keeps the churn until alpha (day 0) ages out on day 31; bravo (day 10) goes on day 41
    feed(engine, [tx({ descriptor: "CHARLIE SHOP", occurredAt: day(30) })]);
    expect(signalOf(engine, "churn")?.value).toBe(3);
    feed(engine, [tx({ descriptor: "CHARLIE SHOP", occurredAt: day(31) })]);
    expect(signalOf(engine, "churn")).toBeUndefined();
  });

  it("descriptors of another merchant do not count", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ merchantId: "acq-nl:M-1", descriptor: "ALPHA SHOP", occurredAt: day(0) }),
      merchant({ merchantId: "acq-nl:M-2", descriptor: "BRAVO SHOP", occurredAt: day(0) }),
      tx({ merchantId: "acq-nl:M-2", descriptor: "CHARLIE SHOP", occurredAt: day(1) }),
      tx({ merchantId: "acq-nl:M-1", descriptor: "DELTA SHOP", occurredAt: day(1) }),
    ]);
    expect(signalOf(engine, "churn", "acq-nl:M-1")).toBeUndefined();
    expect(signalOf(engine, "churn", "acq-nl:M-2")).toBeUndefined();
  });

  it("honours other parameters: 2 within 7 days", () => {
    const engine = engineWith(RULES.replace("{ distinct: 3, withinDays: 30 }", "{ distinct: 2, withinDays: 7 }"));
    feed(engine, [merchant({ descriptor: "ALPHA SHOP", occurredAt: day(0) }), tx({ descriptor: "BRAVO SHOP", occurredAt: day(8) })]);
    expect(signalOf(engine, "churn")).toBeUndefined();
    feed(engine, [tx({ descriptor: "CHARLIE SHOP", occurredAt: day(14) })]);
    expect(signalOf(engine, "churn")).toMatchObject({ value: 2, threshold: 2, detail: '"bravo shop", "charlie shop"' });
  });
});
