import { beforeEach, describe, expect, it } from "vitest";
import type { StoredMerchant } from "../../src/state/merchant.js";
import { M1, M2, M3, cardToken, chargeback, crawl, engineWith, feed, merchant, resetEvents, setClock, signalOf, state, times, tx } from "../helpers/events.js";

// the default pack's parameters, with a weight that alerts alone
const RULES = `
  - id: xb
    kind: cross-border
    weight: 60
    typology: cross-border
    params: { threshold: 0.7, minTransactions: 50 }
`;

const from = (country: string) => tx({ card: { country } });

beforeEach(() => resetEvents());

describe("cross-border", () => {
  it("fires when the share of sales on foreign cards reaches the threshold with minTransactions", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ country: "NL" }), ...times(15, () => from("NL")), ...times(34, (i) => from(["DE", "US", "BR"][i % 3]!))]);
    expect(signalOf(engine, "xb")).toBeUndefined();
    const last = from("DE");
    const alerts = feed(engine, [last]);
    expect(signalOf(engine, "xb")).toMatchObject({
      value: 0.7,
      threshold: 0.7,
      strength: 1,
      eventIds: [last.eventId],
      detail: "35 of 50 settled sales on cards issued outside NL",
    });
    expect(alerts[0]!.signals[0]!.explanation).toBe("70.0% of sales this month and last are on foreign cards (threshold 70.0% with at least 50 sales; 35 of 50 settled sales on cards issued outside NL)");
  });

  it("does not fire below the threshold or below minTransactions", () => {
    const low = engineWith(RULES);
    feed(low, [merchant({ country: "NL" }), ...times(16, () => from("NL")), ...times(34, () => from("DE"))]);
    expect(signalOf(low, "xb")).toBeUndefined();

    const few = engineWith(RULES);
    feed(few, [merchant({ country: "NL" }), ...times(49, () => from("DE"))]);
    expect(signalOf(few, "xb")).toBeUndefined();
    feed(few, [from("DE")]);
    expect(signalOf(few, "xb")?.value).toBe(1);
  });

  it("is withdrawn when domestic cards bring the share under the threshold", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ country: "NL" }), ...times(50, () => from("DE"))]);
    expect(signalOf(engine, "xb")?.value).toBe(1);
    feed(engine, times(21, () => from("NL")));
    // 50 of 71 = 70.4%
    expect(signalOf(engine, "xb")?.detail).toBe("50 of 71 settled sales on cards issued outside NL");
    feed(engine, [from("NL")]);
    expect(signalOf(engine, "xb")).toBeUndefined();
  });

  it("ignores transactions without a card country, and everything before the merchant's profile", () => {
    const engine = engineWith(RULES);
    feed(engine, times(60, () => from("DE")));
    expect(signalOf(engine, "xb")).toBeUndefined();
    feed(engine, [merchant({ country: "NL" }), ...times(60, () => tx({ card: { country: undefined } })), ...times(49, () => from("DE"))]);
    expect(signalOf(engine, "xb")).toBeUndefined();
    feed(engine, [from("DE")]);
    expect(signalOf(engine, "xb")?.detail).toBe("50 of 50 settled sales on cards issued outside NL");
  });

  it("compares with the merchant's current country", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ country: "DE" }), ...times(49, () => from("DE"))]);
    feed(engine, [merchant({ country: "NL" }), from("DE")]);
    // only the last card counted as foreign: 1 of 50
    expect(signalOf(engine, "xb")).toBeUndefined();
  });

  it("counts a sale once: authorised then settled is one sale", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ country: "NL" })]);
    for (let i = 0; i < 30; i++) feed(engine, [tx({ transactionId: `t-s${i}`, status: "authorized", card: { country: "DE" } }), tx({ transactionId: `t-s${i}`, card: { country: "DE" } })]);
    // 30 sales, sent twice each: fewer than minTransactions
    expect(signalOf(engine, "xb")).toBeUndefined();
    for (let i = 30; i < 50; i++) feed(engine, [tx({ transactionId: `t-s${i}`, status: "authorized", card: { country: "DE" } }), tx({ transactionId: `t-s${i}`, card: { country: "DE" } })]);
    expect(signalOf(engine, "xb")?.detail).toBe("50 of 50 settled sales on cards issued outside NL");
  });

  it("counts authorisations where the processor sends no settlements", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant({ country: "NL" }), ...times(49, () => tx({ status: "authorized", card: { country: "DE" } }))]);
    expect(signalOf(engine, "xb")).toBeUndefined();
    feed(engine, [tx({ status: "authorized", card: { country: "US" } })]);
    expect(signalOf(engine, "xb")).toMatchObject({ value: 1, detail: "50 of 50 authorised sales on cards issued outside NL" });
    // a first settlement: the settlements are read from then on, and one is too few
    feed(engine, [tx({ card: { country: "DE" } })]);
    expect(signalOf(engine, "xb")).toBeUndefined();
  });

  it("declines and refunds are not sales: one foreign card declined 50 times is nothing", () => {
    const engine = engineWith(RULES);
    const card = { token: cardToken("declined-de"), country: "DE" };
    feed(engine, [merchant({ country: "NL" }), ...times(50, () => tx({ status: "declined", card })), ...times(50, () => tx({ status: "refunded", card }))]);
    expect(signalOf(engine, "xb")).toBeUndefined();
    expect(state(engine).slots.filter(Boolean)).toEqual([]);
  });

  it("counts over this and the prior month", () => {
    resetEvents("2026-02-27T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant({ country: "NL" }), ...times(30, () => from("DE"))]);
    setClock("2026-03-03T00:00:00Z");
    feed(engine, times(20, () => from("DE")));
    expect(signalOf(engine, "xb")?.detail).toBe("50 of 50 settled sales on cards issued outside NL");
    setClock("2026-04-02T00:00:00Z");
    feed(engine, [from("DE")]);
    expect(signalOf(engine, "xb")).toBeUndefined();
  });

  it("its months leave the window at the merchant's next event of any kind: a sale it does not count, a chargeback, a crawl", () => {
    resetEvents("2026-03-02T00:00:00Z");
    const engine = engineWith(RULES);
    const mixes = [M1, M2, M3].flatMap((merchantId) => [merchant({ merchantId, country: "NL" }), ...times(50, () => tx({ merchantId, card: { country: "DE" } }))]);
    feed(engine, mixes);
    expect([M1, M2, M3].map((id) => signalOf(engine, "xb", id)?.value)).toEqual([1, 1, 1]);
    // April: March is still in the window
    setClock("2026-04-10T00:00:00Z");
    feed(engine, [tx({ status: "declined" })]);
    expect(signalOf(engine, "xb")?.value).toBe(1);
    // June: March is out, whatever the merchant's event
    setClock("2026-06-10T00:00:00Z");
    feed(engine, [tx({ card: { country: undefined } }), chargeback({ merchantId: M2 }), crawl({ merchantId: M3 })]);
    expect([M1, M2, M3].map((id) => signalOf(engine, "xb", id))).toEqual([undefined, undefined, undefined]);
    expect(state(engine).slots.filter(Boolean)).toEqual([]);
  });

  it("resumes from a checkpoint written before sales and authorisations were told apart", () => {
    const before = engineWith(RULES);
    feed(before, [merchant({ country: "NL" }), ...times(40, () => from("DE"))]);
    const stored = JSON.parse(JSON.stringify(before.snapshot(state(before)))) as StoredMerchant;
    const slot = stored.slots["xb@cross-border"] as { month: Record<string, number> };
    // the earlier bucket: every transaction with a card country in `cards`
    slot.month = { m: slot.month.m!, cards: 40, foreign: 40 };
    const after = engineWith(RULES);
    after.restore([stored]);
    feed(after, times(10, () => from("DE")));
    expect(signalOf(after, "xb")?.detail).toBe("50 of 50 settled sales on cards issued outside NL");
  });
});
