import { beforeEach, describe, expect, it } from "vitest";
import { M2, chargeback, crawl, engineWith, feed, merchant, resetEvents, setClock, signalOf, state, times, tx } from "../helpers/events.js";

// the default pack's parameters, with a weight that alerts alone
const RULES = `
  - id: reasons
    kind: reason-cluster
    weight: 60
    typology: unrecognised-charges
    params:
      reasonCodes: ["10.4", "10.5", "4837", "4863", "4870", "4871", "F24", "F29"]
      threshold: 0.6
      minChargebacks: 6
`;

const fraud = (reasonCode = "10.4") => chargeback({ reasonCode });
const other = (reasonCode = "13.1") => chargeback({ reasonCode });

beforeEach(() => resetEvents());

describe("reason-cluster", () => {
  it("fires when the share of fraud / not-recognised reason codes reaches the threshold with minChargebacks", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), other("13.1"), other("13.3"), fraud("10.4"), fraud("4837"), fraud("4863")]);
    // 3 of 5: too few chargebacks yet
    expect(signalOf(engine, "reasons")).toBeUndefined();
    const alerts = feed(engine, [fraud("F29")]);
    expect(signalOf(engine, "reasons")).toMatchObject({
      value: 4 / 6,
      threshold: 0.6,
      strength: 1,
      critical: false,
      eventIds: ["e-4", "e-5", "e-6", "e-7"],
      indicators: [],
      detail: "4 of 6 chargebacks",
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals[0]).toMatchObject({
      value: 0.6667,
      threshold: 0.6,
      explanation: "66.7% of chargebacks this month and last carry fraud/not-recognised reason codes (threshold 60.0% with at least 6 chargebacks; 4 of 6 chargebacks)",
      evidence: { eventIds: ["e-4", "e-5", "e-6", "e-7"] },
    });
  });

  it("does not fire below minChargebacks, even at 100%", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(5, () => fraud())]);
    expect(signalOf(engine, "reasons")).toBeUndefined();
  });

  it("does not fire below the threshold; the threshold is inclusive", () => {
    const half = engineWith(RULES);
    feed(half, [merchant(), ...times(3, () => other()), ...times(3, () => fraud())]);
    expect(signalOf(half, "reasons")).toBeUndefined();

    const exact = engineWith(RULES);
    feed(exact, [merchant(), ...times(4, () => other()), ...times(6, () => fraud("10.5"))]);
    expect(signalOf(exact, "reasons")?.value).toBe(0.6);
  });

  it("matches reason codes exactly", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...["10.40", "104", "f29", "4837 ", "10.4.1", "13.1"].map((c) => chargeback({ reasonCode: c }))]);
    expect(signalOf(engine, "reasons")).toBeUndefined();
  });

  it("counts disputes and fraud reports alike", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(6, (i) => chargeback({ reasonCode: "10.4", kind: i % 2 ? "dispute" : "fraud_report" }))]);
    expect(signalOf(engine, "reasons")).toMatchObject({ value: 1, detail: "6 of 6 chargebacks" });
  });

  it("is withdrawn when other chargebacks dilute the share", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(6, () => fraud())]);
    expect(signalOf(engine, "reasons")?.value).toBe(1);
    feed(engine, times(3, () => other()));
    expect(signalOf(engine, "reasons")?.value).toBe(6 / 9);
    feed(engine, [other()]);
    // 6 of 10 is still 60%
    expect(signalOf(engine, "reasons")?.value).toBe(0.6);
    feed(engine, [other()]);
    expect(signalOf(engine, "reasons")).toBeUndefined();
  });

  it("counts over this and the prior month; older chargebacks drop out", () => {
    resetEvents("2026-02-10T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(3, () => fraud())]);
    setClock("2026-03-10T00:00:00Z");
    feed(engine, times(2, () => fraud()));
    expect(signalOf(engine, "reasons")).toBeUndefined();
    feed(engine, [fraud()]);
    expect(signalOf(engine, "reasons")).toMatchObject({ value: 1, detail: "6 of 6 chargebacks" });
    // April: February's three drop out, 4 in the window
    setClock("2026-04-02T00:00:00Z");
    feed(engine, [fraud()]);
    expect(signalOf(engine, "reasons")).toBeUndefined();
  });

  it("sales move the window: once its chargebacks have left it, the signal and the rule's memory go", () => {
    resetEvents("2026-03-10T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(6, () => fraud())]);
    expect(signalOf(engine, "reasons")?.value).toBe(1);
    // April: March is the prior month, still in the window
    setClock("2026-04-03T00:00:00Z");
    feed(engine, [tx()]);
    expect(signalOf(engine, "reasons")).toMatchObject({ value: 1, detail: "6 of 6 chargebacks" });
    // May: March's chargebacks are out, with no chargeback since
    setClock("2026-05-03T00:00:00Z");
    feed(engine, [tx()]);
    expect(signalOf(engine, "reasons")).toBeUndefined();
    expect(engine.snapshot(state(engine)).slots["reasons@reason-cluster"]).toBeUndefined();
  });

  it("a profile change or a crawl moves the window as a sale does", () => {
    resetEvents("2026-03-10T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(6, () => fraud()), merchant({ merchantId: M2 }), ...times(6, () => chargeback({ merchantId: M2, reasonCode: "10.4" }))]);
    expect([signalOf(engine, "reasons")?.value, signalOf(engine, "reasons", M2)?.value]).toEqual([1, 1]);
    setClock("2026-05-03T00:00:00Z");
    feed(engine, [merchant(), crawl({ merchantId: M2 })]);
    expect([signalOf(engine, "reasons"), signalOf(engine, "reasons", M2)]).toEqual([undefined, undefined]);
  });

  it("ignores chargebacks older than the window (late data)", () => {
    resetEvents("2026-03-10T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(5, () => other())]);
    // January is before the previous month: counted nowhere
    feed(engine, [chargeback({ reasonCode: "10.4", occurredAt: "2026-01-15T00:00:00Z" })]);
    setClock("2026-03-11T00:00:00Z");
    feed(engine, times(5, () => fraud()));
    // 5 of 10, not 6 of 11
    expect(signalOf(engine, "reasons")).toBeUndefined();
    feed(engine, [fraud(), fraud(), fraud()]);
    expect(signalOf(engine, "reasons")).toMatchObject({ value: 8 / 13, detail: "8 of 13 chargebacks" });
  });

  it("a backlog of old chargebacks, the first the rule sees, counts in no window: the merchant's latest month is now", () => {
    resetEvents("2026-06-05T00:00:00Z");
    const engine = engineWith(RULES);
    feed(engine, [merchant(), ...times(10, () => tx())]);
    // January's fraud chargebacks arrive in June
    const alerts = feed(engine, times(6, (i) => chargeback({ reasonCode: "10.4", occurredAt: `2026-01-1${i}T00:00:00Z` })));
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "reasons")).toBeUndefined();
    // June's own count from nothing: five fraud chargebacks are not six
    setClock("2026-06-06T00:00:00Z");
    feed(engine, times(5, () => fraud()));
    expect(signalOf(engine, "reasons")).toBeUndefined();
    feed(engine, [fraud()]);
    expect(signalOf(engine, "reasons")).toMatchObject({ value: 1, detail: "6 of 6 chargebacks" });
  });

  it("compares reason codes ignoring case, in the rules file and in the chargebacks", () => {
    const engine = engineWith(RULES.replace('"F29"]', '"f29"]'));
    feed(engine, [merchant(), ...times(3, () => fraud("f24")), ...times(3, () => fraud("F29"))]);
    expect(signalOf(engine, "reasons")).toMatchObject({ value: 1, detail: "6 of 6 chargebacks" });
  });

  it("refuses a code in no network's format, naming it and saying how the networks write theirs", () => {
    const refused = (code: string) => () => engineWith(RULES.replace('"10.5"', `"${code}"`));
    expect(refused("104")).toThrow(/reasonCodes\[1\].*"104" is in no card network's reason-code format.*for Visa's write "10\.4"; Visa writes 2 digits, a dot and a digit/);
    for (const code of ["10-4", "48370", "F 24", "F2", "1.04", "visa 10.4"]) expect(refused(code), code).toThrow(/is in no card network's reason-code format, so no chargeback could match it; Visa writes/);
    // Visa (new and before 2018), Mastercard, JCB, Amex, Discover
    for (const code of ["13.1", "10.10", "83", "4863", "526", "C08", "FR2", "ua", "UA02", " 10.4 "]) expect(refused(code), code).not.toThrow();
  });
});
