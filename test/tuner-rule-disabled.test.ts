// A tuner who turns a rule off with `enabled: false` (to see the set without it) was told on the Rules page "Rules
// removed: early-warning-disputes", and a backtest's per-rule table read "only in A", as for a rule deleted or renamed:
// neither said that the rule is still in the file, turned off. Both say so now. And `enabled: false` written inside a
// rule's params (on a chargeback level) was refused as an unknown key with no word of where it goes.
import { describe, expect, it } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { sampleBacktest } from "./helpers/tuner.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";
import { refusalOf } from "./helpers/refusals.js";

const copy = defaultRulesCopies("tuner-rule-disabled");
const rulesPage = rulesPageOverCopy("tuner-rule-disabled");

const EARLY_WARNING_OFF = (t: string) => t.replace("    weight: 40\n    typology: excessive-disputes", "    enabled: false\n    weight: 40\n    typology: excessive-disputes");

describe("a rule turned off with enabled: false", () => {
  it("a backtest says it is turned off in B, not only absent", async () => {
    const r = BacktestResult.parse(await sampleBacktest(copy({ "chargebacks.yaml": EARLY_WARNING_OFF })));
    expect(r.candidate.disabled).toEqual(["early-warning-disputes"]);
    expect(r.baseline.disabled).toEqual([]);
    const text = backtestTables(r);
    expect(text).toMatch(/│ early-warning-disputes\s+│ excessive-disputes\s+│ only in A \(enabled: false in B\)\s+│/);
    // the merchant it loses, with the rule that held it
    expect(text).toContain("−early-warning-disputes (enabled: false in B)");
  });

  it("the Rules page's save notice says it was turned off, not removed", { timeout: 60_000 }, async () => {
    const { save } = await rulesPage();
    const saved = await save("chargebacks.yaml", EARLY_WARNING_OFF, "early warning off for a trial");
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).toContain("Rules turned off (enabled: false): early-warning-disputes.");
    expect(saved.body).not.toContain("Rules removed");
  });

  it("written inside the rule's params, it is refused with where it goes", () => {
    const dir = copy({ "chargebacks.yaml": (t) => t.replace('{ name: "early warning", ratio: 0.01, minCount: 8 }', '{ name: "early warning", ratio: 0.01, minCount: 8, enabled: false }') });
    const e = refusalOf(() => loadRuleSet(dir));
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rules[2].params.levels[0].enabled: unknown key "enabled" (a key of the rule itself: write it beside weight, not under params)',
    ]);
  });
});
