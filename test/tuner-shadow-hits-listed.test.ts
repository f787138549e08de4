// A tuner tried the early warning at 0.8% and 6 disputes as a shadow rule beside the one in force, as README says
// to ("try a rule this way, then switch it to live"), and backtested it: the per-rule table said the shadow rule hit
// 3 merchants, "affected 3", precision 66.7%, and nowhere which 3, so the one negative among them could not be looked
// at before putting the rule live. The merchants a rule hits in one set and not the other are now listed (JSON
// hitsChanged, a table on the terminal and in the HTML), each with its label and the labels file's note.
import { describe, it, expect } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { sampleBacktest } from "./helpers/tuner.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const TRIAL = `
  - id: early-warning-lower
    kind: chargeback-ratio
    description: Trying the early warning at 0.8%.
    weight: 40
    mode: shadow
    typology: excessive-disputes
    params:
      measure: window
      mccs: high-risk
      levels:
        - { name: "early warning (trial)", ratio: 0.008, minCount: 6 }
`;

const rulesCopy = defaultRulesCopies("tuner-shadow");

describe("a shadow rule tried beside the set in force", () => {
  it("lists the merchants it hits, with their labels", async () => {
    const r = await sampleBacktest(rulesCopy({ "chargebacks.yaml": (t) => t + TRIAL }));
    expect(r.alertsAdded).toEqual([]);
    expect(r.hitsChanged.map((h) => [h.rule, h.side, h.mode, h.merchantId, h.label])).toEqual([
      ["early-warning-lower", "b", "shadow", "acq-de:M-200005", "negative"],
      ["early-warning-lower", "b", "shadow", "acq-fr:M-300002", "positive"],
      ["early-warning-lower", "b", "shadow", "acq-nl:M-100003", "positive"],
    ]);
    expect(r.hitsChanged[0]!.note).toBe("one rebrand: exactly two descriptors over the two months; 6 chargebacks, 5 for fraud (too few for the early warning)");
    expect(BacktestResult.parse(r)).toEqual(r);
    const text = backtestTables(r);
    expect(text).toContain("Merchants a rule hits in one set only (the per-rule table's affected):");
    expect(text).toMatch(/│ early-warning-lower\s*│ only in B \(shadow\)\s*│ acq-de:M-200005\s*│ negative \(hard-negative\)\s*│ one rebrand/);
    expect(backtestHtml(r)).toContain("<td>early-warning-lower</td><td>only in B (shadow)</td><td>acq-de:M-200005</td><td>negative (hard-negative)</td><td>one rebrand:");
  });
});
