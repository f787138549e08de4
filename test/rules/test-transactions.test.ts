import { beforeEach, describe, expect, it } from "vitest";
import { hash32 } from "../../src/lib/hash.js";
import { DAY, DEFAULT_START, M2, MINUTE, cardToken, chargeback, crawl, engineWith, feed, merchant, resetEvents, signalOf, state, times, tx } from "../helpers/events.js";

// the default pack's card-testing rule
const RULES = `
  - id: testing
    kind: test-transactions
    weight: 60
    typology: card-testing
    params: { maxMinor: 200, minCount: 15, minDistinctCards: 12, withinMinutes: 60 }
`;

const t0 = Date.parse(DEFAULT_START) + 3600_000;
const at = (minutes: number) => new Date(t0 + minutes * MINUTE).toISOString();
/** a small approved authorisation on card `card` at `minutes` after t0 */
const probe = (minutes: number, card: number | string, amountMinor = 100, status: "authorized" | "settled" | "declined" | "refunded" = "authorized") =>
  tx({ occurredAt: at(minutes), amountMinor, status, card: { token: cardToken(card), bin: "400000", country: "NL" } });

beforeEach(() => resetEvents());

describe("test-transactions", () => {
  it("fires on minCount small attempts on enough distinct cards within the window", () => {
    const engine = engineWith(RULES);
    const burst = times(15, (i) => probe(i * 4, i));
    feed(engine, [merchant(), ...burst.slice(0, 14)]);
    expect(signalOf(engine, "testing")).toBeUndefined();
    const alerts = feed(engine, [burst[14]!]);
    expect(signalOf(engine, "testing")).toMatchObject({
      value: 15,
      threshold: 12,
      strength: 1,
      critical: false,
      eventIds: burst.slice(10).map((e) => e.eventId),
      detail: "15 attempts of at most 200 minor units in any currency within 56 minutes",
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ score: 60, typologies: ["card-testing"] });
    // the cards are counted up to max(minCount, minDistinctCards): 15 is all the rule knows of them
    expect(alerts[0]!.signals[0]!.explanation).toBe("at least 15 distinct cards (threshold 12) and 15 attempts of at most 200 minor units in any currency within 56 minutes (threshold 15 attempts within 60 minutes)");
  });

  it("a burst spanning exactly the window fires; one minute more does not", () => {
    const exact = engineWith(RULES);
    feed(exact, [merchant(), ...times(14, (i) => probe(i * 4, i)), probe(60, 14)]);
    expect(signalOf(exact, "testing")?.detail).toBe("15 attempts of at most 200 minor units in any currency within 60 minutes");

    resetEvents();
    const over = engineWith(RULES);
    feed(over, [merchant(), ...times(14, (i) => probe(i * 4, i)), probe(61, 14)]);
    expect(signalOf(over, "testing")).toBeUndefined();
  });

  it("the same count spread over more than the window does not fire", () => {
    const engine = engineWith(RULES);
    // one every 5 minutes: any 15 in a row span 70 minutes
    feed(engine, [merchant(), ...times(100, (i) => probe(i * 5, i))]);
    expect(signalOf(engine, "testing")).toBeUndefined();
  });

  it("few distinct cards do not fire; minDistinctCards do", () => {
    const five = engineWith(RULES);
    feed(five, [merchant(), ...times(30, (i) => probe(i, i % 5))]);
    expect(signalOf(five, "testing")).toBeUndefined();

    resetEvents();
    const eleven = engineWith(RULES);
    feed(eleven, [merchant(), ...times(15, (i) => probe(i, i % 11))]);
    expect(signalOf(eleven, "testing")).toBeUndefined();

    resetEvents();
    const twelve = engineWith(RULES);
    feed(twelve, [merchant(), ...times(15, (i) => probe(i, i % 12))]);
    expect(signalOf(twelve, "testing")).toMatchObject({ value: 12, threshold: 12 });
  });

  it("only attempts of at most maxMinor count; larger ones in between do not break a burst", () => {
    const big = engineWith(RULES);
    feed(big, [merchant(), ...times(15, (i) => probe(i, i, 201))]);
    expect(signalOf(big, "testing")).toBeUndefined();

    resetEvents();
    const mixed = engineWith(RULES);
    feed(mixed, [merchant(), ...times(30, (i) => (i % 2 ? probe(i, `big-${i}`, 5000) : probe(i, i, 200)))]);
    // 15 small sales between minute 0 and minute 28
    expect(signalOf(mixed, "testing")).toMatchObject({ value: 15, detail: "15 attempts of at most 200 minor units in any currency within 28 minutes" });
  });

  it("sales without a card token do not count", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(20, (i) => tx({ occurredAt: at(i), amountMinor: 100, status: "authorized", card: { token: undefined } }))]);
    expect(signalOf(engine, "testing")).toBeUndefined();
  });

  it("declined probes count: card testing is mostly declines", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(15, (i) => tx({ occurredAt: at(i), amountMinor: 1, status: "declined", card: { token: cardToken(i) } }))]);
    expect(signalOf(engine, "testing")?.value).toBe(15);
  });

  it("a burst later after a slow trickle still fires", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(20, (i) => probe(i * 30, `slow-${i}`)), ...times(15, (i) => probe(1000 + i, `fast-${i}`))]);
    expect(signalOf(engine, "testing")).toMatchObject({ value: 15, detail: "15 attempts of at most 200 minor units in any currency within 14 minutes" });
  });

  it("a sale authorised then settled is one attempt: 30 sales on 30 cards, each sent twice, fire", () => {
    const engine = engineWith(RULES);
    // settlements follow their authorisations a few at a time, as a processor that sends both does
    const events = times(30, (i) => [probe(i, i), ...(i >= 3 ? [probe(i, i - 3, 100, "settled")] : [])]).flat();
    feed(engine, [merchant(), ...events]);
    expect(signalOf(engine, "testing")).toMatchObject({ value: 15, detail: expect.stringMatching(/^15 attempts /) });
  });

  it("settlements and refunds are not attempts", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(15, (i) => probe(i, i, 100, "settled")), ...times(15, (i) => probe(20 + i, `r-${i}`, 100, "refunded"))]);
    expect(signalOf(engine, "testing")).toBeUndefined();
  });

  it("lapses once the burst leaves the window, and its memory goes", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(15, (i) => probe(i, i))]);
    expect(signalOf(engine, "testing")?.value).toBe(15);
    // any sale moves the window: at minute 60 the attempt of minute 0 is still in it, at minute 61 it is not
    feed(engine, [tx({ occurredAt: at(60) })]);
    expect(signalOf(engine, "testing")?.value).toBe(15);
    feed(engine, [tx({ occurredAt: at(61) })]);
    expect(signalOf(engine, "testing")).toBeUndefined();
    // the 14 attempts still in the window are kept; once none is, nothing is
    expect(engine.snapshot(state(engine)).slots["testing@test-transactions"]).toBeDefined();
    feed(engine, [tx({ occurredAt: new Date(t0 + 60 * DAY).toISOString() })]);
    expect(engine.snapshot(state(engine)).slots["testing@test-transactions"]).toBeUndefined();
  });

  it("lapses at the merchant's next event of any kind once the burst has left the window: a chargeback, a crawl", () => {
    const engine = engineWith(RULES);
    const burst = (merchantId: string) => times(15, (i) => tx({ merchantId, occurredAt: at(i), amountMinor: 100, status: "authorized", card: { token: cardToken(i) } }));
    feed(engine, [merchant(), merchant({ merchantId: M2 }), ...burst("acq-nl:M-1"), ...burst(M2)]);
    expect([signalOf(engine, "testing")?.value, signalOf(engine, "testing", M2)?.value]).toEqual([15, 15]);
    feed(engine, [chargeback({ occurredAt: at(61) }), crawl({ merchantId: M2, occurredAt: at(61) })]);
    expect([signalOf(engine, "testing"), signalOf(engine, "testing", M2)]).toEqual([undefined, undefined]);
  });

  it("a tester retrying each card (another expiry, another CVV) is caught: 40 attempts on 20 cards in 20 minutes", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(40, (i) => tx({ occurredAt: at(i / 2), amountMinor: 100, status: "declined", card: { token: cardToken(Math.floor(i / 2)) } }))]);
    // every 15 attempts in a row hold 8 cards; the window holds 20 (counted up to minCount)
    expect(signalOf(engine, "testing")).toMatchObject({ value: 15, threshold: 12, detail: "15 attempts of at most 200 minor units in any currency within 14 minutes" });
    expect(engine.ruleSet.byId.get("testing")!.kind.explain({ ...signalOf(engine, "testing")!, strength: 1 }, engine.ruleSet.byId.get("testing")!.params)).toMatch(/^at least 15 distinct cards \(threshold 12\)/);
  });

  it("below the count it keeps, the cards are counted exactly", () => {
    const engine = engineWith(RULES.replace("minCount: 15, minDistinctCards: 12", "minCount: 15, minDistinctCards: 10"));
    // 15 attempts on 13 cards: the rule keeps up to 15 cards
    const alerts = feed(engine, [merchant(), ...times(15, (i) => probe(i, i % 13))]);
    expect(alerts[0]!.signals[0]!.explanation).toMatch(/^13 distinct cards \(threshold 10\)/);
  });

  it("the cards are counted in the window: retries of a few cards over a long burst do not make them many", () => {
    const engine = engineWith(RULES);
    // 12 cards, one attempt each in minutes 0-11; then the same 3 cards over and over until minute 80
    feed(engine, [merchant(), ...times(12, (i) => probe(i, i)), ...times(69, (i) => probe(12 + i, i % 3))]);
    // minute 80: the window from minute 20 holds cards 0, 1 and 2 only
    expect(signalOf(engine, "testing")).toBeUndefined();
  });

  it("resumes from a checkpoint written when each attempt's card was kept beside it", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(14, (i) => probe(i, i % 13))]);
    const stored = engine.snapshot(state(engine));
    const slot = stored.slots["testing@test-transactions"] as { at: number[]; eventIds: string[]; latestByCard?: number[] };
    const old = { at: slot.at, eventIds: slot.eventIds, cards: times(14, (i) => hash32(cardToken(i % 13))) };
    const resumed = engineWith(RULES);
    resumed.restore([JSON.parse(JSON.stringify({ ...stored, slots: { "testing@test-transactions": old } }))]);
    feed(resumed, [probe(14, 13)]);
    expect(signalOf(resumed, "testing")).toMatchObject({ value: 14, detail: "15 attempts of at most 200 minor units in any currency within 14 minutes" });
  });

  it("more distinct cards than attempts asked for: minDistinctCards holds (a sweep of minCount below it means something)", () => {
    const engine = engineWith(RULES.replace("minCount: 15, minDistinctCards: 12", "minCount: 10, minDistinctCards: 12"));
    feed(engine, [merchant(), ...times(11, (i) => probe(i, i))]);
    expect(signalOf(engine, "testing")).toBeUndefined();
    feed(engine, [probe(11, 11)]);
    expect(signalOf(engine, "testing")).toMatchObject({ value: 12, threshold: 12 });
  });

  it("an attempt that arrives late, older than the window, is no part of the burst now", () => {
    const engine = engineWith(RULES);
    // 14 attempts at hours 5; one more on another card, sent five hours late
    feed(engine, [merchant(), ...times(14, (i) => probe(300 + i, i)), probe(0, "late")]);
    expect(signalOf(engine, "testing")).toBeUndefined();
    // nor does it linger to complete a burst later
    feed(engine, [probe(320, 14)]);
    expect(signalOf(engine, "testing")).toMatchObject({ value: 15, detail: "15 attempts of at most 200 minor units in any currency within 20 minutes" });
  });

  it("attempts out of order but within the window count, and the burst's span is from its first to its last", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(10, (i) => probe(100 + i, i)), ...times(5, (i) => probe(50 + i, 50 + i))]);
    expect(signalOf(engine, "testing")).toMatchObject({ value: 15, detail: "15 attempts of at most 200 minor units in any currency within 59 minutes" });
    // at minute 111 the late ones (minutes 50-54) have left the window: the burst lapses
    feed(engine, [tx({ occurredAt: at(111) })]);
    expect(signalOf(engine, "testing")).toBeUndefined();
  });

  it("with currencies, attempts in others do not count; the explanation names them", () => {
    const engine = engineWith(RULES.replace("maxMinor: 200,", "maxMinor: 200, currencies: [EUR],"));
    feed(engine, [merchant(), ...times(15, (i) => tx({ occurredAt: at(i), amountMinor: 100, currency: "JPY", status: "declined", card: { token: cardToken(i) } }))]);
    expect(signalOf(engine, "testing")).toBeUndefined();
    feed(engine, times(15, (i) => probe(20 + i, i)));
    expect(signalOf(engine, "testing")?.detail).toBe("15 attempts of at most 200 minor units in EUR within 14 minutes");
  });
});
