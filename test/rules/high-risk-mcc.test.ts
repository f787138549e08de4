import { beforeEach, describe, expect, it } from "vitest";
import { assess } from "../../src/scoring/score.js";
import { chargeback, crawl, engineWith, feed, merchant, resetEvents, ruleSetWith, signalOf, state, times, tx, HIGH_RISK_MCC, LOW_RISK_MCC } from "../helpers/events.js";

const RULES = (cloakWeight = 50) => `
  - id: mcc
    kind: high-risk-mcc
    weight: 0
    typology: high-risk-mcc
    params: { factor: 1.25 }
  - id: cloak
    kind: cloaked-content
    weight: ${cloakWeight}
    typology: disguised-site
    params: {}
`;

beforeEach(() => resetEvents());

describe("high-risk-mcc", () => {
  it("is set for a high-risk MCC but never alerts alone", () => {
    const engine = engineWith(RULES());
    const m = merchant({ mcc: HIGH_RISK_MCC });
    const alerts = feed(engine, [m, ...times(20, () => tx()), merchant({ mcc: HIGH_RISK_MCC })]);
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "mcc")).toMatchObject({ value: 1.25, threshold: 1, strength: 1, critical: false, detail: HIGH_RISK_MCC });
    const a = assess(state(engine), engine.ruleSet);
    expect(a).toMatchObject({ score: 0, alert: false, severity: "low", typologies: [] });
  });

  it("is not set for another MCC", () => {
    const engine = engineWith(RULES());
    feed(engine, [merchant({ mcc: LOW_RISK_MCC })]);
    expect(signalOf(engine, "mcc")).toBeUndefined();
  });

  it("multiplies the score of other signals: 50 becomes 63 and alerts", () => {
    const low = engineWith(RULES());
    expect(feed(low, [merchant({ mcc: LOW_RISK_MCC }), crawl({ contentDiffersByReferrer: true })])).toEqual([]);
    expect(assess(state(low), low.ruleSet).score).toBe(50);

    resetEvents();
    const high = engineWith(RULES());
    const m = merchant({ mcc: HIGH_RISK_MCC });
    const alerts = feed(high, [m, crawl({ contentDiffersByReferrer: true })]);
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    // 50 x 1.25 = 62.5, rounded
    expect(a).toMatchObject({ score: 63, severity: "medium", typologies: ["disguised-site"] });
    // the factor is shown to the reviewer, after the signals that score
    expect(a!.signals.map((s) => s.rule)).toEqual(["cloak", "mcc"]);
    expect(a!.signals[1]).toMatchObject({
      kind: "high-risk-mcc",
      value: 1.25,
      threshold: 1,
      explanation: `high-risk merchant category ${HIGH_RISK_MCC}: other evidence counts 1.25×`,
      evidence: { eventIds: [m.eventId] },
    });
  });

  it("the product is capped at 100", () => {
    const engine = engineWith(RULES(90));
    const [a] = feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), crawl({ contentDiffersByReferrer: true })]);
    expect(a).toMatchObject({ score: 100, severity: "critical" });
  });

  it("is withdrawn when the merchant leaves the high-risk list, and the score falls back", () => {
    const engine = engineWith(RULES());
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), crawl({ contentDiffersByReferrer: true })]);
    expect(assess(state(engine), engine.ruleSet).score).toBe(63);
    feed(engine, [merchant({ mcc: LOW_RISK_MCC })]);
    expect(signalOf(engine, "mcc")).toBeUndefined();
    expect(assess(state(engine), engine.ruleSet).score).toBe(50);
  });

  it("uses the rule set's own high-risk list", () => {
    const engine = engineWith(RULES(), undefined, { highRiskMccs: ["7995"] });
    feed(engine, [merchant({ mcc: HIGH_RISK_MCC })]);
    expect(signalOf(engine, "mcc")).toBeUndefined();
    feed(engine, [merchant({ mcc: "7995" })]);
    expect(signalOf(engine, "mcc")?.detail).toBe("7995");
  });

  it("a hot reload that changes the high-risk list applies at the merchant's next event of any type, not its next profile", () => {
    const engine = engineWith(RULES(), undefined, { highRiskMccs: ["7995"] });
    const m = merchant({ mcc: HIGH_RISK_MCC });
    feed(engine, [m, crawl({ contentDiffersByReferrer: true })]);
    expect(signalOf(engine, "mcc")).toBeUndefined();
    expect(assess(state(engine), engine.ruleSet).score).toBe(50);

    // the list now holds the merchant's MCC: the next sale gives it the factor, citing the profile that has the MCC
    engine.replaceRuleSet(ruleSetWith(RULES(), { highRiskMccs: [HIGH_RISK_MCC] }));
    feed(engine, [tx()]);
    expect(signalOf(engine, "mcc")).toMatchObject({ value: 1.25, detail: HIGH_RISK_MCC, eventIds: [m.eventId] });
    expect(assess(state(engine), engine.ruleSet).score).toBe(63);
    // further events change nothing
    const since = signalOf(engine, "mcc")!.since;
    feed(engine, [tx(), chargeback()]);
    expect(signalOf(engine, "mcc")).toMatchObject({ eventIds: [m.eventId], since });

    // a new factor applies likewise, and a list without the MCC withdraws it at the next chargeback
    engine.replaceRuleSet(ruleSetWith(RULES().replace("factor: 1.25", "factor: 1.5"), { highRiskMccs: [HIGH_RISK_MCC] }));
    feed(engine, [crawl()]);
    expect(signalOf(engine, "mcc")?.value).toBe(1.5);
    engine.replaceRuleSet(ruleSetWith(RULES(), { highRiskMccs: ["7995"] }));
    feed(engine, [chargeback()]);
    expect(signalOf(engine, "mcc")).toBeUndefined();
    expect(assess(state(engine), engine.ruleSet).score).toBe(50);
  });
});
