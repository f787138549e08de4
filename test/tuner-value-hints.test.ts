// A tuner's slips in a rule file, walking through the workflow as one new to it, each refused with what to write:
// a key misspelt was reported twice (the misspelt key, and the real one as missing); a fraction where a whole number
// goes, and a misspelt choice between a word and a list, got zod's bare "Invalid input".
import { describe, expect, it } from "vitest";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";

const copy = defaultRulesCopies("tuner-value-hints");

/** the issues, as path: message, of the default pack with one edit of `file` */
function refused(file: string, from: string, to: string): string[] {
  const dir = copy({ [file]: (t) => t.replace(from, to) });
  return refusalOf(() => loadRuleSet(dir)).issues.map((i) => `${i.path}: ${i.message}`);
}

describe("a rule file's slips", () => {
  it("a misspelt key is said once, as the key it most likely meant, not also as that key missing", () => {
    expect(refused("chargebacks.yaml", "minChargebacks: 6", "minChargeback: 6")).toEqual([
      'rules[3].params.minChargeback: unknown key "minChargeback" (did you mean "minChargebacks"?)',
    ]);
  });

  it("a fraction where a whole number goes says so, with the key's unit", () => {
    expect(refused("sales.yaml", "withinMinutes: 60", "withinMinutes: 0.5")).toEqual([
      "rules[3].params.withinMinutes: 0.5 is not a whole number: write withinMinutes as a whole number of minutes",
    ]);
    expect(refused("chargebacks.yaml", "minCount: 8 }", "minCount: 8.5 }")).toEqual(["rules[2].params.levels[0].minCount: 8.5 is not a whole number: write minCount as a whole number"]);
  });

  it("a value that is none of a choice says what each is, and the one it most likely meant", () => {
    expect(refused("chargebacks.yaml", "mccs: high-risk", "mccs: highrisk")).toEqual([
      'rules[2].params.mccs: "highrisk" is none of what mccs takes: "high-risk" or a list (did you mean "high-risk"?)',
    ]);
    expect(refused("chargebacks.yaml", "measure: window", "measure: windows")).toEqual([
      'rules[2].params.measure: Invalid option: expected one of "vamp"|"ecp"|"window" (did you mean "window"?)',
    ]);
  });
});
