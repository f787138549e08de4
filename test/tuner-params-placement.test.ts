// Trying a rule in shadow, a tuner wrote `params: { threshold: 0.7, minTransactions: 30, mode: shadow }` in a copy of
// the pack: refused as 'unknown key "mode"', which reads as if rules had no mode. The other way round, a parameter
// written beside weight (threshold: 0.7 under the rule) read the same. A key written one level off now says where it
// goes.
import { describe, expect, it } from "vitest";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";

const copy = defaultRulesCopies("tuner-params-placement");

/** The default pack's sales.yaml with one edit, refused: its issues as path: message. */
function refused(from: string, to: string): string[] {
  return refusalOf(() => loadRuleSet(copy({ "sales.yaml": (t) => t.replace(from, to) }))).issues.map((i) => `${i.path}: ${i.message}`);
}

describe("a key written one level off", () => {
  it("a rule's own key under its params", () => {
    expect(refused("params: { threshold: 0.7, minTransactions: 50 }", "params: { threshold: 0.7, minTransactions: 30, mode: shadow }")).toEqual([
      'rules[1].params.mode: unknown key "mode" (a key of the rule itself: write it beside weight, not under params)',
    ]);
  });

  it("a parameter beside weight", () => {
    expect(refused("    weight: 15\n    typology: cross-border\n    params: { threshold: 0.7, minTransactions: 50 }", "    weight: 15\n    threshold: 0.6\n    typology: cross-border\n    params: { minTransactions: 50 }")).toEqual([
      "rules[1].params.threshold: missing: this key is required (number)",
      'rules[1].threshold: unknown key "threshold" (one of the params of kind cross-border: write it under params)',
    ]);
  });

  it("a misspelt key is still named as before", () => {
    expect(refused("minTransactions: 50", "minTransaction: 50")).toContain('rules[1].params.minTransaction: unknown key "minTransaction" (did you mean "minTransactions"?)');
  });
});
