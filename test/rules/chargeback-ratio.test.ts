import { beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import type { Counters, StoredMerchant } from "../../src/state/merchant.js";
import { M1, M2, M3, chargeback, crawl, engineWith, feed, indexOf, merchant, resetEvents, setClock, signalOf, state, tx, HIGH_RISK_MCC, LOW_RISK_MCC } from "../helpers/events.js";

const VISA = { bin: "400000", country: "NL" };
const MC = { bin: "510000", country: "NL" };
const MC2 = { bin: "222100", country: "NL" }; // the 2-series range is Mastercard too

const rule = (id: string, measure: string, levels: string, extra = "") => `
  - id: ${id}
    kind: chargeback-ratio
    weight: 60
    typology: excessive-disputes
    params:
      measure: ${measure}
      levels:
${levels
  .trim()
  .split("\n")
  .map((l) => `        ${l.trim()}`)
  .join("\n")}
${extra ? `      ${extra}` : ""}
`;

// the default pack's levels
const VAMP = rule("vamp", "vamp", `- { name: "VAMP excessive", ratio: 0.015, minCount: 1500 }`);
const ECP = rule(
  "ecp",
  "ecp",
  `- { name: "ECM", ratio: 0.015, minCount: 100 }
   - { name: "HECM", ratio: 0.03, minCount: 300 }
   - { name: "ECP watch", ratio: 0.01, minCount: 100 }`,
);
const EARLY = rule("early", "window", `- { name: "early warning", ratio: 0.01, minCount: 8 }`, "mccs: high-risk");

/** n events through the engine without keeping them */
function run(engine: Engine, n: number, make: () => Parameters<Engine["process"]>[0]): void {
  for (let i = 0; i < n; i++) engine.process(make());
}

beforeEach(() => resetEvents("2026-03-02T00:00:00Z", 1000));

describe("chargeback-ratio: Visa VAMP", () => {
  it("1.5% with 1,500 events fires; 1,499 events at a higher ratio do not", { timeout: 60_000 }, () => {
    const engine = engineWith(VAMP);
    feed(engine, [merchant()]);
    run(engine, 90_000, () => tx({ card: VISA }));
    run(engine, 1_499, () => chargeback({ network: "visa", kind: "dispute" }));
    // 1499 / 90000 = 1.67%, but fewer than 1500 events
    expect(signalOf(engine, "vamp")).toBeUndefined();
    const last = chargeback({ network: "visa", kind: "fraud_report" });
    const alerts = engine.process(last);
    const s = signalOf(engine, "vamp")!;
    expect(s.value).toBe(1500 / 90_000);
    expect(s.threshold).toBe(0.015);
    expect(s.detail).toBe("VAMP excessive: 1500 Visa disputes and fraud reports this month over 90000 settled card-not-present Visa sales this month; the level needs at least 1500");
    expect(s.eventIds).toHaveLength(5);
    expect(s.eventIds[4]).toBe(last.eventId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals[0]).toMatchObject({
      value: 0.0167,
      threshold: 0.015,
      explanation:
        // both of the level's thresholds: the ratio and the count
        "chargeback ratio 1.67% at or above 1.50% (Visa Acquirer Monitoring Program measure; VAMP excessive: 1500 Visa disputes and fraud reports this month over 90000 settled card-not-present Visa sales this month; the level needs at least 1500 Visa disputes and fraud reports)",
    });
  });

  it("the ratio is inclusive: 1,500 over 100,000 fires, 1,500 over 100,001 does not", { timeout: 60_000 }, () => {
    const exact = engineWith(VAMP);
    feed(exact, [merchant({ merchantId: "acq-nl:M-1" }), merchant({ merchantId: "acq-nl:M-2" })]);
    for (let i = 0; i < 100_000; i++) {
      exact.process(tx({ merchantId: "acq-nl:M-1", card: VISA }));
      exact.process(tx({ merchantId: "acq-nl:M-2", card: VISA }));
    }
    exact.process(tx({ merchantId: "acq-nl:M-2", card: VISA }));
    for (let i = 0; i < 1_500; i++) {
      exact.process(chargeback({ merchantId: "acq-nl:M-1" }));
      exact.process(chargeback({ merchantId: "acq-nl:M-2" }));
    }
    expect(signalOf(exact, "vamp", "acq-nl:M-1")?.value).toBe(0.015);
    expect(signalOf(exact, "vamp", "acq-nl:M-2")).toBeUndefined();
    exact.process(chargeback({ merchantId: "acq-nl:M-2" }));
    expect(signalOf(exact, "vamp", "acq-nl:M-2")?.value).toBe(1501 / 100_001);
  });

  it("counts Visa disputes and fraud reports over settled card-not-present Visa sales only", () => {
    const small = rule("vamp", "vamp", `- { name: "test level", ratio: 0.1, minCount: 2 }`);
    const engine = engineWith(small);
    feed(engine, [merchant()]);
    run(engine, 10, () => tx({ card: VISA }));
    run(engine, 5, () => tx({ card: VISA, channel: "moto" }));
    run(engine, 5, () => tx({ card: VISA, channel: "pos" }));
    run(engine, 5, () => tx({ card: MC }));
    run(engine, 5, () => tx({ card: VISA, status: "declined" }));
    run(engine, 5, () => tx({ card: VISA, status: "authorized" }));
    run(engine, 5, () => tx({ card: VISA, status: "refunded" }));
    feed(engine, [chargeback({ network: "mastercard" }), chargeback({ network: "amex" }), chargeback({ network: "VISA" })]);
    expect(signalOf(engine, "vamp")).toBeUndefined();
    feed(engine, [chargeback({ network: "Visa", kind: "fraud_report" })]);
    // 2 over 15 (10 ecommerce + 5 moto)
    expect(signalOf(engine, "vamp")).toMatchObject({
      value: 2 / 15,
      threshold: 0.1,
      detail: "test level: 2 Visa disputes and fraud reports this month over 15 settled card-not-present Visa sales this month; the level needs at least 2",
      // the Mastercard and Amex chargebacks are not counted, so they are not evidence
      eventIds: ["e-44", "e-45"],
    });
  });

  it("counts this month only: a new month withdraws the finding", () => {
    const small = rule("vamp", "vamp", `- { name: "test level", ratio: 0.1, minCount: 2 }`);
    const engine = engineWith(small);
    feed(engine, [merchant()]);
    run(engine, 10, () => tx({ card: VISA }));
    feed(engine, [chargeback(), chargeback()]);
    expect(signalOf(engine, "vamp")?.value).toBe(0.2);
    setClock("2026-04-01T00:00:00Z");
    feed(engine, [tx({ card: VISA })]);
    expect(signalOf(engine, "vamp")).toBeUndefined();
    // the evidence of March's chargebacks went with them
    expect(engine.snapshot(state(engine)).slots["vamp@chargeback-ratio"]).toBeUndefined();
    feed(engine, [chargeback(), chargeback()]);
    // 2 over April's one sale
    expect(signalOf(engine, "vamp")?.value).toBe(2);
    expect(engine.snapshot(state(engine)).slots["vamp@chargeback-ratio"]).toEqual(["e-15", "e-16"]);
  });
  it("a new month withdraws the finding at the merchant's next event of any kind: a sale not settled, a profile, a crawl", () => {
    const small = rule("vamp", "vamp", `- { name: "test level", ratio: 0.1, minCount: 2 }`);
    const engine = engineWith(small);
    for (const merchantId of [M1, M2, M3]) {
      feed(engine, [merchant({ merchantId })]);
      run(engine, 10, () => tx({ merchantId, card: VISA }));
      feed(engine, [chargeback({ merchantId }), chargeback({ merchantId })]);
    }
    expect([M1, M2, M3].map((id) => signalOf(engine, "vamp", id)?.value)).toEqual([0.2, 0.2, 0.2]);
    setClock("2026-04-01T00:00:00Z");
    feed(engine, [tx({ card: VISA, status: "declined" }), merchant({ merchantId: M2 }), crawl({ merchantId: M3 })]);
    expect([M1, M2, M3].map((id) => signalOf(engine, "vamp", id))).toEqual([undefined, undefined, undefined]);
    expect(engine.snapshot(state(engine)).slots["vamp@chargeback-ratio"]).toBeUndefined();
  });

  it("cites only chargebacks it counts: none of last month's when this month's come first, nor a late one of last month", () => {
    const small = rule("vamp", "vamp", `- { name: "test level", ratio: 0.1, minCount: 2 }`);
    const engine = engineWith(small);
    feed(engine, [merchant()]);
    run(engine, 10, () => tx({ card: VISA }));
    const march = [chargeback(), chargeback()];
    feed(engine, march);
    expect(signalOf(engine, "vamp")?.eventIds).toEqual(march.map((e) => e.eventId));
    // April begins with a dispute, before any sale
    setClock("2026-04-01T00:00:00Z");
    const first = chargeback();
    feed(engine, [first]);
    run(engine, 10, () => tx({ card: VISA }));
    const late = chargeback({ occurredAt: "2026-03-31T12:00:00Z" });
    setClock("2026-04-02T00:00:00Z");
    const second = chargeback();
    feed(engine, [late, second]);
    expect(signalOf(engine, "vamp")).toMatchObject({ value: 0.2, eventIds: [first.eventId, second.eventId], detail: expect.stringMatching(/^test level: 2 Visa /) });
  });

  it("with no sale's BIN known, counts every settled card-not-present sale: the ratio is a lower bound", { timeout: 60_000 }, () => {
    const engine = engineWith(VAMP);
    feed(engine, [merchant()]);
    run(engine, 120_000, () => tx({ card: { bin: undefined } }));
    run(engine, 1_500, () => chargeback({ network: "visa" }));
    // 1,500 over at most 120,000 Visa sales is at least 1.25%; over the no Visa sale known it was 100%
    expect(signalOf(engine, "vamp")).toBeUndefined();
    run(engine, 300, () => chargeback({ network: "visa" }));
    expect(signalOf(engine, "vamp")).toMatchObject({
      value: 0.015,
      detail:
        "VAMP excessive: 1800 Visa disputes and fraud reports this month over 120000 settled card-not-present Visa sales this month (120000 of them without a BIN, counted as possibly Visa: the ratio is at least this); the level needs at least 1500",
    });
  });

  it("chargebacks and no sale at all are no ratio: no finding", () => {
    const engine = engineWith(VAMP);
    feed(engine, [merchant()]);
    run(engine, 1_600, () => chargeback({ network: "visa" }));
    expect(signalOf(engine, "vamp")).toBeUndefined();
  });

  it("a backlog of sales and chargebacks from months ago counts in no month: the merchant's latest month is now", () => {
    resetEvents("2026-06-05T00:00:00Z", 1000);
    const engine = engineWith(rule("vamp", "vamp", `- { name: "VAMP excessive", ratio: 0.015, minCount: 2 }`));
    // boarded in June; January's sales and disputes are sent after
    feed(engine, [merchant()]);
    setClock("2026-01-10T00:00:00Z", 1000);
    run(engine, 100, () => tx({ card: VISA }));
    const alerts = feed(engine, [chargeback({ network: "visa" }), chargeback({ network: "visa" })]);
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "vamp")).toBeUndefined();
    expect(state(engine).month).toMatchObject({ m: (2026 - 1970) * 12 + 5, settled: 0, chargebacksVisa: 0 });
  });

  it("sales with a BIN of another network are not in the base; with no Visa sale at all there is no ratio", () => {
    const small = rule("vamp", "vamp", `- { name: "test level", ratio: 0.1, minCount: 2 }`);
    const engine = engineWith(small);
    feed(engine, [merchant()]);
    run(engine, 50, () => tx({ card: MC }));
    run(engine, 5, () => chargeback({ network: "visa" }));
    expect(signalOf(engine, "vamp")).toBeUndefined();
    run(engine, 10, () => tx({ card: VISA }));
    run(engine, 10, () => tx({ card: { bin: undefined } }));
    feed(engine, [chargeback({ network: "visa" })]);
    expect(signalOf(engine, "vamp")).toMatchObject({ value: 6 / 20, detail: expect.stringMatching(/over 20 settled card-not-present Visa sales this month \(10 of them without a BIN/) });
  });
});

describe("chargeback-ratio: Mastercard ECP", () => {
  /** Feb: `febSales` settled Mastercard sales (any channel); March: 5,000 more, which do not count */
  function withSales(febSales: number): Engine {
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const engine = engineWith(ECP);
    feed(engine, [merchant()]);
    run(engine, febSales / 2, () => tx({ card: MC }));
    run(engine, febSales / 2, () => tx({ card: MC2, channel: "pos" }));
    run(engine, 50, () => tx({ card: VISA }));
    setClock("2026-03-01T00:00:00Z", 1000);
    run(engine, 5_000, () => tx({ card: MC }));
    return engine;
  }

  it("uses the prior month's settled Mastercard sales and this month's Mastercard disputes, with count bands", () => {
    const engine = withSales(10_000);
    run(engine, 99, () => chargeback({ network: "mastercard" }));
    // 99 is below every band's minimum count
    expect(signalOf(engine, "ecp")).toBeUndefined();
    feed(engine, [chargeback({ network: "mastercard" })]);
    // 100 over 10,000 = 1%: the watch level only
    expect(signalOf(engine, "ecp")).toMatchObject({
      value: 0.01,
      threshold: 0.01,
      detail: "ECP watch: 100 Mastercard disputes this month over 10000 settled Mastercard sales last month; the level needs at least 100",
    });
    run(engine, 49, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "ecp")?.threshold).toBe(0.01);
    feed(engine, [chargeback({ network: "MasterCard" })]);
    // 150 over 10,000 = 1.5%: ECM
    expect(signalOf(engine, "ecp")).toMatchObject({ value: 0.015, threshold: 0.015, detail: expect.stringMatching(/^ECM: 150 /) });
    run(engine, 150, () => chargeback({ network: "mastercard" }));
    // 300 over 10,000 = 3%: HECM
    expect(signalOf(engine, "ecp")).toMatchObject({ value: 0.03, threshold: 0.03, detail: expect.stringMatching(/^HECM: 300 /) });
  });

  it("ECM has no upper count: 300 and 350 chargebacks under HECM's 3% are ECM, 200 at 4% too (HECM needs 300)", () => {
    const engine = withSales(20_000);
    run(engine, 299, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "ecp")).toMatchObject({ value: 299 / 20_000, threshold: 0.01, detail: expect.stringMatching(/^ECP watch: 299 /) });
    // 300 over 20,000 is 1.5%
    feed(engine, [chargeback({ network: "mastercard" })]);
    expect(signalOf(engine, "ecp")).toMatchObject({ value: 0.015, threshold: 0.015, detail: expect.stringMatching(/^ECM: 300 /) });
    // 350 over 17,500 is 2%
    const at2 = withSales(17_500);
    run(at2, 350, () => chargeback({ network: "mastercard" }));
    expect(signalOf(at2, "ecp")).toMatchObject({ value: 0.02, threshold: 0.015, detail: expect.stringMatching(/^ECM: 350 /) });
    // 200 over 5,000 is 4%
    const few = withSales(5_000);
    run(few, 200, () => chargeback({ network: "mastercard" }));
    expect(signalOf(few, "ecp")).toMatchObject({ value: 0.04, threshold: 0.015, detail: expect.stringMatching(/^ECM: 200 /) });
  });

  it("the default pack's levels: 350 chargebacks at 2% are ECM", () => {
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), indexOf());
    feed(engine, [merchant()]);
    run(engine, 17_500, () => tx({ card: MC }));
    setClock("2026-03-01T00:00:00Z", 1000);
    run(engine, 350, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "mastercard-ecp")).toMatchObject({ value: 0.02, threshold: 0.015, detail: expect.stringMatching(/^ECM: 350 /) });
  });

  it("a level with maxCount applies to its band of counts only", () => {
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const engine = engineWith(rule("ecp", "ecp", `- { name: "band", ratio: 0.01, minCount: 2, maxCount: 3 }`));
    feed(engine, [merchant()]);
    run(engine, 100, () => tx({ card: MC }));
    setClock("2026-03-01T00:00:00Z", 1000);
    run(engine, 3, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "ecp")?.detail).toMatch(/^band: 3 .*; the level needs 2 to 3$/);
    feed(engine, [chargeback({ network: "mastercard" })]);
    expect(signalOf(engine, "ecp")).toBeUndefined();
  });

  it("refuses a level whose maxCount is below its minCount (it would apply to no count), naming it", () => {
    expect(() => engineWith(rule("ecp", "ecp", `- { name: "band", ratio: 0.01, minCount: 300, maxCount: 299 }`))).toThrow(
      /levels\[0\]\.maxCount.*maxCount must be at least minCount/,
    );
    expect(() => engineWith(rule("ecp", "ecp", `- { name: "band", ratio: 0.01, minCount: 300, maxCount: 300 }`))).not.toThrow();
  });

  it("fraud reports and other networks' disputes do not count", () => {
    const engine = withSales(10_000);
    run(engine, 200, () => chargeback({ network: "mastercard", kind: "fraud_report" }));
    run(engine, 200, () => chargeback({ network: "visa" }));
    expect(signalOf(engine, "ecp")).toBeUndefined();
    // 99 disputes (each its own event: one sent again is applied once), the 100th the one that reaches the ratio
    const counted = Array.from({ length: 100 }, () => chargeback({ network: "mastercard" }));
    const others = [chargeback({ network: "visa" }), chargeback({ network: "mastercard", kind: "fraud_report" })];
    feed(engine, [...counted.slice(0, 99), ...others, counted[99]!]);
    // only the counted disputes are evidence
    const signal = signalOf(engine, "ecp");
    expect(signal).toMatchObject({ value: 0.01 });
    expect(signal!.eventIds.at(-1)).toBe(counted[99]!.eventId);
    expect(signal!.eventIds.every((id) => counted.some((c) => c.eventId === id))).toBe(true);
  });

  it("month roll-over: a new month starts the count again, over the month just ended as base", () => {
    const engine = withSales(10_000);
    run(engine, 150, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "ecp")?.threshold).toBe(0.015);
    setClock("2026-04-01T00:00:00Z");
    feed(engine, [tx({ card: MC })]);
    expect(signalOf(engine, "ecp")).toBeUndefined();
    // April's base is March's 5,000 Mastercard sales: 100 disputes are 2%
    run(engine, 100, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "ecp")).toMatchObject({
      value: 0.02,
      threshold: 0.015,
      detail: "ECM: 100 Mastercard disputes this month over 5000 settled Mastercard sales last month; the level needs at least 100",
    });
  });

  it("disputes with no sales in the prior month are no ratio: no finding (a new merchant)", () => {
    const engine = engineWith(ECP);
    feed(engine, [merchant()]);
    run(engine, 5_000, () => tx({ card: MC }));
    run(engine, 300, () => chargeback({ network: "mastercard" }));
    expect(signalOf(engine, "ecp")).toBeUndefined();
    // the disputes are kept: once a month with sales is the prior month, they count over it
    expect(engine.snapshot(state(engine)).slots["ecp@chargeback-ratio"]).toHaveLength(5);
  });

  it("counts the prior month's sales without a BIN as possibly Mastercard: the ratio is a lower bound", () => {
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const engine = engineWith(ECP);
    feed(engine, [merchant()]);
    run(engine, 4_000, () => tx({ card: MC }));
    run(engine, 6_000, () => tx({ card: { bin: undefined } }));
    run(engine, 5_000, () => tx({ card: VISA }));
    setClock("2026-03-01T00:00:00Z", 1000);
    run(engine, 150, () => chargeback({ network: "mastercard" }));
    // 150 over the 4,000 known plus the 6,000 unknown
    expect(signalOf(engine, "ecp")).toMatchObject({
      value: 0.015,
      threshold: 0.015,
      detail:
        "ECM: 150 Mastercard disputes this month over 10000 settled Mastercard sales last month (6000 of them without a BIN, counted as possibly Mastercard: the ratio is at least this); the level needs at least 100",
    });
  });
});

describe("chargeback-ratio: checkpoints", () => {
  it("resumes from one written before the settled and no-BIN counts, counting them from zero", () => {
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const before = engineWith(ECP);
    feed(before, [merchant()]);
    run(before, 10_000, () => tx({ card: MC }));
    setClock("2026-03-01T00:00:00Z", 1000);
    feed(before, [tx({ card: MC })]);
    const stored = JSON.parse(JSON.stringify(before.snapshot(state(before)))) as StoredMerchant;
    for (const b of [stored.month!, stored.prevMonth!] as Partial<Counters>[]) {
      delete b.settled;
      delete b.settledNoBin;
      delete b.settledCnpNoBin;
    }
    const after = engineWith(ECP);
    after.restore([stored]);
    run(after, 150, () => chargeback({ network: "mastercard" }));
    expect(signalOf(after, "ecp")).toMatchObject({ value: 0.015, detail: expect.stringMatching(/^ECM: 150 Mastercard disputes this month over 10000 /) });
    expect(state(after).prevMonth).toMatchObject({ settled: 0, settledNoBin: 0, settledCnpNoBin: 0, settledMc: 10_000 });
  });
});

describe("chargeback-ratio: early warning for high-risk MCCs", () => {
  function boarded(mcc: string): Engine {
    const engine = engineWith(EARLY);
    feed(engine, [merchant({ mcc })]);
    run(engine, 800, () => tx({ card: VISA }));
    run(engine, 200, () => tx({ card: VISA, channel: "pos" }));
    return engine;
  }

  it("fires at 1% with 8 disputes and fraud reports of any network in a high-risk MCC", () => {
    const engine = boarded(HIGH_RISK_MCC);
    feed(engine, [
      chargeback({ network: "visa" }),
      chargeback({ network: "mastercard" }),
      chargeback({ network: "amex" }),
      chargeback({ network: "visa", kind: "fraud_report" }),
    ]);
    run(engine, 3, () => chargeback({ network: "mastercard", kind: "fraud_report" }));
    expect(signalOf(engine, "early")).toBeUndefined();
    const alerts = feed(engine, [chargeback({ network: "discover" })]);
    expect(signalOf(engine, "early")).toMatchObject({
      value: 0.01,
      threshold: 0.01,
      detail: "early warning: 8 disputes and fraud reports over 800 settled card-not-present sales, this month and last (this month 8 over 800, last month 0 over 0); the level needs at least 8",
    });
    expect(alerts).toHaveLength(1);
  });

  it("never fires for a merchant outside the high-risk MCCs", () => {
    const engine = boarded(LOW_RISK_MCC);
    run(engine, 50, () => chargeback());
    expect(signalOf(engine, "early")).toBeUndefined();
  });

  it("is withdrawn when the merchant leaves the high-risk MCCs; an explicit MCC list works the same way", () => {
    const engine = boarded(HIGH_RISK_MCC);
    run(engine, 8, () => chargeback());
    expect(signalOf(engine, "early")).toBeDefined();
    feed(engine, [merchant({ mcc: LOW_RISK_MCC }), chargeback()]);
    expect(signalOf(engine, "early")).toBeUndefined();

    resetEvents();
    const listed = engineWith(EARLY.replace("mccs: high-risk", 'mccs: ["7995"]'));
    feed(listed, [merchant({ mcc: HIGH_RISK_MCC })]);
    run(listed, 100, () => tx());
    run(listed, 8, () => chargeback());
    expect(signalOf(listed, "early")).toBeUndefined();
    feed(listed, [merchant({ mcc: "7995" }), chargeback()]);
    expect(signalOf(listed, "early")?.value).toBe(0.09);
  });

  it("a merchant without a profile is in no MCC", () => {
    const engine = engineWith(EARLY);
    run(engine, 100, () => tx());
    run(engine, 20, () => chargeback());
    expect(signalOf(engine, "early")).toBeUndefined();
  });

  it("counts this and the prior month; the month before drops out", () => {
    resetEvents("2026-02-01T00:00:00Z", 60_000);
    const engine = engineWith(EARLY);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC })]);
    run(engine, 400, () => tx());
    run(engine, 4, () => chargeback());
    setClock("2026-03-01T00:00:00Z");
    run(engine, 400, () => tx());
    run(engine, 3, () => chargeback());
    expect(signalOf(engine, "early")).toBeUndefined();
    feed(engine, [chargeback()]);
    // each month's part, so a reviewer tells a bad month from two
    expect(signalOf(engine, "early")).toMatchObject({
      value: 0.01,
      detail: "early warning: 8 disputes and fraud reports over 800 settled card-not-present sales, this month and last (this month 4 over 400, last month 4 over 400); the level needs at least 8",
    });
    // April: February's 4 chargebacks and 400 sales drop out
    setClock("2026-04-01T00:00:00Z");
    feed(engine, [tx()]);
    expect(signalOf(engine, "early")).toBeUndefined();
  });

  it("chargebacks with no sales are no ratio: no finding", () => {
    const engine = engineWith(EARLY);
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC })]);
    run(engine, 20, () => tx({ status: "authorized" }));
    run(engine, 8, () => chargeback());
    expect(signalOf(engine, "early")).toBeUndefined();
    run(engine, 100, () => tx());
    feed(engine, [chargeback()]);
    expect(signalOf(engine, "early")?.value).toBe(0.09);
  });

  it("no disputes at all is no finding, whatever the sales", () => {
    const engine = boarded(HIGH_RISK_MCC);
    run(engine, 10, () => tx());
    expect(signalOf(engine, "early")).toBeUndefined();
  });
});
