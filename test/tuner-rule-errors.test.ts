// A tuner's mistakes in a rule file, found walking through the workflow, each refused or noted with what to do.
import { describe, expect, it } from "vitest";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";

const copy = defaultRulesCopies("tuner-rule-errors");

/** The default pack with one edit. */
function edited(file: string, from: string, to: string): string {
  return copy({
    [file]: (before) => {
      expect(before).toContain(from);
      return before.replace(from, to);
    },
  });
}

describe("rule-file mistakes", () => {
  // an unknown key got "did you mean", an unknown kind only the list of all kinds
  it("an unknown kind close to a known one names it", () => {
    const e = refusalOf(() => loadRuleSet(edited("chargebacks.yaml", "kind: reason-cluster", "kind: reason-clusters")));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.path).toBe("rules[3].kind");
    expect(e.issues[0]!.message).toMatch(/^unknown rule kind "reason-clusters" \(did you mean "reason-cluster"\?\); known kinds: /);
    expect(refusalOf(() => loadRuleSet(edited("chargebacks.yaml", "kind: reason-cluster", "kind: sanctions"))).issues[0]!.message).toMatch(/^unknown rule kind "sanctions"; known kinds: /);
  });
});
