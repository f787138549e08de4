// A tuner's mistakes in a rule file, found walking through the workflow, each refused or noted with what to do.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { doubtText, loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";
import { CLI } from "./helpers/cli.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

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

  // `weight:30` is one plain word to YAML, not a key and its value: the parser said "Implicit keys need to be on a single line"
  it("a key with no space after its colon: where, and how to write it", () => {
    for (const [from, to, line, fixed] of [
      ["    weight: 30\n", "    weight:30\n", 13, "weight: 30"],
      ["    typology: brand-churn\n", "    typology:brand-churn\n", 14, "typology: brand-churn"],
    ] as const) {
      const e = refusalOf(() => loadRuleSet(edited("descriptors.yaml", from, to)));
      expect(e.issues).toEqual([{ path: "(YAML syntax)", line, col: 5, message: `"${to.trim()}" has no space after its colon, so it is not read as a key and its value: write ${fixed}` }]);
    }
  });

  // zod's own "Too big: expected number to be <=100" reads as code; a range the schema words itself is kept
  it("a number out of its key's range: the value, the bound, and what the key counts", () => {
    const big = refusalOf(() => loadRuleSet(edited("descriptors.yaml", "    weight: 30\n", "    weight: 150\n")));
    expect(big.issues).toEqual([{ path: "rules[1].weight", line: 13, col: 13, message: "150 is more than 100, the most weight takes: weights are points from 0 to 100" }]);
    const small = refusalOf(() => loadRuleSet(edited("descriptors.yaml", "distinct: 3,", "distinct: 1,")));
    expect(small.issues.map((i) => i.message)).toEqual(["1 is less than 2, the least distinct takes"]);
    // a percentage written as a number where a share goes: the share it meant, from the value given
    const ratio = refusalOf(() => loadRuleSet(edited("chargebacks.yaml", '{ name: "early warning", ratio: 0.01', '{ name: "early warning", ratio: 1.5')));
    expect(ratio.issues.map((i) => i.message)).toEqual(["1.5 is more than 1: ratio is a share from 0 to 1 (for 1.5%, write ratio: 0.015)"]);
  });

  // the parser said "Tabs are not allowed as indentation" and nothing of what to write instead
  it("a line indented with a tab: where, and to indent with spaces", () => {
    const e = refusalOf(() => loadRuleSet(edited("sales.yaml", "    weight: 15\n    typology: cross-border", "    weight: 15\n\ttypology: cross-border")));
    expect(e.file).toMatch(/sales\.yaml$/);
    expect(e.issues).toHaveLength(1);
    expect(readFileSync(join(dirname(e.file), "sales.yaml"), "utf8").split("\n")[e.issues[0]!.line! - 1]).toBe("\ttypology: cross-border");
    expect(e.issues[0]!.message).toMatch(/^Tabs are not allowed as indentation: indent with spaces \(YAML takes no tab there\)/);
  });

  // ratio: 0.8, meant as 0.8%, validated as 80%: the rule would never hold. Above 0.1 a chargeback ratio is almost
  // surely a percentage typed as a number; it is taken (a test may want one) and noted, with where and how to write it.
  it("a chargeback ratio above 0.1 is noted by rules validate with its file, line and path", { timeout: 60_000 }, () => {
    const dir = edited("chargebacks.yaml", '{ name: "early warning", ratio: 0.01, minCount: 8 }', '{ name: "early warning", ratio: 0.8, minCount: 8 }');
    const rs = loadRuleSet(dir);
    const lines = readFileSync(join(dir, "chargebacks.yaml"), "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes("ratio: 0.8")) + 1;
    expect(rs.doubts.map(doubtText)).toEqual([
      `${join(dir, "chargebacks.yaml")}:${line}:${lines[line - 1]!.indexOf("0.8") + 1}: rules[2].params.levels[0].ratio: 0.8 is 80.0% of the sales: a chargeback ratio is a share: 0.008 is 0.8%; a ratio above 0.1 (10%) is most likely a percentage written as a share`,
    ]);
    const r = spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: ${doubtText(rs.doubts[0]!)}\n`);
  });

  it("the default pack has no such note", () => {
    expect(loadRuleSet(DEFAULT_RULES).doubts).toEqual([]);
  });
});
