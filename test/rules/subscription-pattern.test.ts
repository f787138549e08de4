import { beforeEach, describe, expect, it } from "vitest";
import { M1, M2, M3, chargeback, crawl, engineWith, feed, merchant, resetEvents, setClock, signalOf, state, times, tx, HIGH_RISK_MCC, LOW_RISK_MCC } from "../helpers/events.js";

// the default pack's parameters, with a weight that alerts alone
const RULES = `
  - id: subs
    kind: subscription-pattern
    weight: 60
    typology: subscription-pattern
    params: { minMinor: 900, maxMinor: 5000, threshold: 0.6, minSales: 30, highRiskOnly: true }
`;

const sub = (amountMinor = 2995) => tx({ recurring: true, amountMinor });
const oneOff = (amountMinor = 2995) => tx({ recurring: false, amountMinor });

beforeEach(() => resetEvents());

describe("subscription-pattern", () => {
  it("fires when most card-not-present sales of a high-risk merchant are recurring in the band, from minSales", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), ...times(29, () => sub())]);
    expect(signalOf(engine, "subs")).toBeUndefined();
    const alerts = feed(engine, [sub()]);
    expect(signalOf(engine, "subs")).toMatchObject({
      value: 1,
      threshold: 0.6,
      strength: 1,
      eventIds: ["e-27", "e-28", "e-29", "e-30", "e-31"],
      detail: "30 of 30",
    });
    expect(alerts[0]!.signals[0]!.explanation).toBe(
      "100.0% of card-not-present sales this month and last are recurring at 900 to 5000 minor units in any currency (9.00 to 50.00 in a currency with cents) (threshold 60.0% with at least 30 sales; 30 of 30 settled sales)",
    );
  });

  it("the band is inclusive at both ends and only recurring sales in it count", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ mcc: HIGH_RISK_MCC }),
      ...times(9, () => sub(900)),
      ...times(9, () => sub(5000)),
      ...times(4, () => sub(899)),
      ...times(4, () => sub(5001)),
      ...times(4, () => oneOff(2995)),
    ]);
    // 18 of 30
    expect(signalOf(engine, "subs")).toMatchObject({ value: 0.6, detail: "18 of 30" });
    feed(engine, [oneOff()]);
    expect(signalOf(engine, "subs")).toBeUndefined();
  });

  it("below the threshold does not fire", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), ...times(17, () => sub()), ...times(13, () => oneOff())]);
    expect(signalOf(engine, "subs")).toBeUndefined();
  });

  it("counts settled card-not-present sales only", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ mcc: HIGH_RISK_MCC }),
      ...times(20, () => tx({ recurring: false, channel: "pos" })),
      ...times(20, () => tx({ recurring: false, status: "declined" })),
      ...times(20, () => tx({ recurring: false, status: "authorized" })),
      ...times(15, () => sub()),
      ...times(15, () => tx({ recurring: true, channel: "moto" })),
    ]);
    expect(signalOf(engine, "subs")).toMatchObject({ value: 1, detail: "30 of 30" });
  });

  it("looks only at high-risk MCCs unless highRiskOnly is false", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ mcc: LOW_RISK_MCC }), ...times(40, () => sub())]);
    expect(signalOf(engine, "subs")).toBeUndefined();

    const any = engineWith(RULES.replace("highRiskOnly: true", "highRiskOnly: false"));
    feed(any, [merchant({ mcc: LOW_RISK_MCC }), ...times(30, () => sub())]);
    expect(signalOf(any, "subs")?.value).toBe(1);
  });

  it("is withdrawn when the merchant leaves the high-risk MCCs, at the profile change", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), ...times(30, () => sub())]);
    expect(signalOf(engine, "subs")?.value).toBe(1);
    feed(engine, [merchant({ mcc: LOW_RISK_MCC })]);
    expect(signalOf(engine, "subs")).toBeUndefined();
    feed(engine, times(5, () => sub()));
    expect(signalOf(engine, "subs")).toBeUndefined();
    // back in a high-risk MCC, the counts start again
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), ...times(29, () => sub())]);
    expect(signalOf(engine, "subs")).toBeUndefined();
    feed(engine, [sub()]);
    expect(signalOf(engine, "subs")).toMatchObject({ value: 1, detail: "30 of 30" });
  });

  it("with currencies, only sales in them can be in the band; the explanation names them", () => {
    const engine = engineWith(RULES.replace("maxMinor: 5000,", "maxMinor: 5000, currencies: [EUR, GBP],"));
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), ...times(12, () => tx({ recurring: true, currency: "SEK" })), ...times(17, () => sub())]);
    // 17 of 29: below minSales
    expect(signalOf(engine, "subs")).toBeUndefined();
    const alerts = feed(engine, [tx({ recurring: true, currency: "GBP" })]);
    // 18 of 30: the SEK sales count as sales, not in the band
    expect(signalOf(engine, "subs")).toMatchObject({ value: 0.6, detail: "18 of 30" });
    expect(alerts[0]!.signals[0]!.explanation).toBe(
      "60.0% of card-not-present sales this month and last are recurring at 9.00 to 50.00 in EUR, GBP (threshold 60.0% with at least 30 sales; 18 of 30 settled sales)",
    );
    expect(() => engineWith(RULES.replace("maxMinor: 5000,", "maxMinor: 5000, currencies: [eur],"))).toThrow(/ISO 4217/);
  });

  it("counts over this and the prior month", () => {
    resetEvents("2026-02-20T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), ...times(20, () => sub())]);
    setClock("2026-03-05T00:00:00Z");
    feed(engine, times(10, () => sub()));
    expect(signalOf(engine, "subs")?.detail).toBe("30 of 30");
    setClock("2026-04-01T00:00:00Z");
    feed(engine, [sub()]);
    // February dropped out: 11 sales
    expect(signalOf(engine, "subs")).toBeUndefined();
  });

  it("its months leave the window at the merchant's next event of any kind: a sale it does not count, a chargeback, a crawl", () => {
    resetEvents("2026-03-02T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [M1, M2, M3].flatMap((merchantId) => [merchant({ merchantId, mcc: HIGH_RISK_MCC }), ...times(30, () => tx({ merchantId, recurring: true }))]));
    expect([M1, M2, M3].map((id) => signalOf(engine, "subs", id)?.value)).toEqual([1, 1, 1]);
    setClock("2026-04-10T00:00:00Z");
    feed(engine, [tx({ channel: "pos" })]);
    expect(signalOf(engine, "subs")?.value).toBe(1);
    setClock("2026-06-10T00:00:00Z");
    feed(engine, [tx({ channel: "pos" }), chargeback({ merchantId: M2 }), crawl({ merchantId: M3 })]);
    expect([M1, M2, M3].map((id) => signalOf(engine, "subs", id))).toEqual([undefined, undefined, undefined]);
    expect(state(engine).slots.filter(Boolean)).toEqual([]);
  });

  it("a backlog of sales from months ago, the first the rule sees, counts in no window", () => {
    resetEvents("2026-06-05T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC })]);
    setClock("2026-01-10T00:00:00Z");
    expect(feed(engine, times(30, () => sub()))).toEqual([]);
    expect(signalOf(engine, "subs")).toBeUndefined();
  });
});
