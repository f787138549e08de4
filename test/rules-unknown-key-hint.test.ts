// A typo'd key (wieght, minCheckout, rule: for rules:) was refused as 'unknown key "wieght"' only: the refusal now
// names the key the rule (or the file, or the settings) has that it most likely meant.
import { describe, expect, it } from "vitest";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";

const copy = defaultRulesCopies("unknown-key");

/** The default pack with one edit, refused: its issues as path: message. */
function refused(file: string, from: string, to: string): string[] {
  const edit = (before: string) => {
    expect(before).toContain(from);
    return before.replace(from, to);
  };
  return refusalOf(() => loadRuleSet(copy({ [file]: edit }))).issues.map((i) => `${i.path}: ${i.message}`);
}

describe("an unknown key close to a known one", () => {
  it("in a rule's own fields and in its kind's params", () => {
    // said once: not also as weight missing (tuner-value-hints.test.ts)
    expect(refused("sales.yaml", "    weight: 15\n    typology: cross-border", "    wieght: 15\n    typology: cross-border")).toEqual([
      'rules[1].wieght: unknown key "wieght" (did you mean "weight"?)',
    ]);
    expect(refused("sites.yaml", "minCheckouts: 40", "minCheckout: 40")).toContain('rules[2].params.minCheckout: unknown key "minCheckout" (did you mean "minCheckouts"?)');
    expect(refused("chargebacks.yaml", 'ratio: 0.01, minCount: 8', "ratio: 0.01, mincount: 8")).toContain(
      'rules[2].params.levels[0].mincount: unknown key "mincount" (did you mean "minCount"?)',
    );
  });

  it("at the top of a file and in the settings", () => {
    expect(refused("sales.yaml", "rules:\n", "rule:\n")).toEqual(['rule: unknown key "rule" (did you mean "rules"?)']);
    expect(refused("ruleset.yaml", "maxSharers: 25", "maxSharer: 25")).toEqual(['ruleset.maxSharer: unknown key "maxSharer" (did you mean "maxSharers"?)']);
  });

  it("a key like none says so only", () => {
    expect(refused("sales.yaml", "    weight: 15\n    typology: cross-border", "    weight: 15\n    owner: risk-team\n    typology: cross-border")).toEqual([
      'rules[1].owner: unknown key "owner"',
    ]);
  });
});
