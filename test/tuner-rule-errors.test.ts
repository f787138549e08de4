// A tuner's mistakes in a rule file, found walking through the workflow, each refused or noted with what to do.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

  // the yaml library's "Sequence item without - indicator" said nothing of indentation, which is what was wrong
  it("a key indented one space less or more than the key above it: where, and to check the indentation", () => {
    for (const [to, col] of [
      ["    weight: 15\n   typology: cross-border", 4],
      ["    weight: 15\n     typology: cross-border", 6],
    ] as const) {
      const e = refusalOf(() => loadRuleSet(edited("sales.yaml", "    weight: 15\n    typology: cross-border", to)));
      expect(e.file).toMatch(/sales\.yaml$/);
      expect(e.issues).toHaveLength(1);
      const line = e.issues[0]!.line!;
      expect(readFileSync(join(dirname(e.file), "sales.yaml"), "utf8").split("\n")[line - 1]).toMatch(/^ +typology: cross-border$/);
      expect(e.issues[0]!.col).toBe(col);
      expect(e.issues[0]!.message).toContain(`this key starts in column ${col} and the key on the line above in column 5: keys of one mapping start in one column; check this line's indentation against the line above`);
    }
    // below a rule's first line, whose key starts after "- "
    const e = refusalOf(() => loadRuleSet(edited("sales.yaml", "  - id: cross-border\n    kind: cross-border", "  - id: cross-border\n   kind: cross-border")));
    expect(e.issues[0]).toMatchObject({ col: 4 });
    expect(e.issues[0]!.message).toContain("this key starts in column 4 and the key on the line above in column 5");
  });
});

