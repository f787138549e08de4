// A tuner lowered the early warning (1% and 8 disputes to 0.8% and 6) and backtested it on the sample: one merchant
// gained an alert, "acq-de:M-200005 negative (hard-negative)", and on a generated population 76 did, each "negative
// (benign)". What each was, the labels file said in its note ("one rebrand ...; 6 chargebacks, 5 for fraud (too few
// for the early warning)", "near the line (bad-month): ..."), and the report dropped it. Merchants that gain or lose
// an alert now carry their label's note: in the JSON (note), the HTML table and the terminal table.
import { describe, it, expect } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { LOWER_EARLY_WARNING, sampleBacktest } from "./helpers/tuner.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const NOTE = "one rebrand: exactly two descriptors over the two months; 6 chargebacks, 5 for fraud (too few for the early warning)";

const rulesCopy = defaultRulesCopies("tuner-note");

describe("a merchant that gains an alert, with a labels file", () => {
  it("carries its label's note", async () => {
    const r = await sampleBacktest(rulesCopy(LOWER_EARLY_WARNING));
    expect(r.alertsAdded.map((m) => [m.merchantId, m.detail, m.note])).toEqual([["acq-de:M-200005", "hard-negative", NOTE]]);
    expect(BacktestResult.parse(r)).toEqual(r);
    expect(backtestHtml(r)).toContain(`<td>acq-de:M-200005</td><td>negative (hard-negative)</td><td>+early-warning-disputes (changed), fraud-reason-cluster, high-risk-mcc</td><td>${NOTE}</td>`);
    // wrapped in its column, word by word
    const text = backtestTables(r);
    expect(text).toContain("label's note");
    const row = text.slice(text.indexOf("│ alerted only in B"));
    const lines = row.split("\n");
    const cells = lines
      .slice(0, lines.findIndex((l) => !l.startsWith("│")))
      .map((l) => l.split("│")[5]!.trim())
      .join(" ")
      .trim();
    expect(cells).toBe(NOTE);
    expect(lines.slice(0, 2).every((l) => l.split("│")[5]!.trim().length <= 60)).toBe(true);
  });
});
