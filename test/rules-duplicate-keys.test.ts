// A key written twice in one mapping of a rule file (a threshold added below the one already there) is refused by the
// YAML parser as "Map keys must be unique", which names neither the key nor where it was first: the refusal says both.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { ConfigError } from "../src/lib/errors.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const copy = defaultRulesCopies("duplicate-keys");

/** The refusal of the default pack with one file edited, and the copy's directory. */
function refused(file: string, edit: (text: string) => string): { err: ConfigError; dir: string } {
  const dir = copy({ [file]: edit });
  try {
    loadRuleSet(dir);
  } catch (err) {
    if (err instanceof ConfigError) return { err, dir };
    throw err;
  }
  throw new Error("not refused");
}

describe("a key given twice in a rule file", () => {
  it("names the key's path and both lines", () => {
    const { err, dir } = refused("sites.yaml", (t) => t.replace("      topDomains: 3\n", "      topDomains: 3\n      threshold: 0.3\n"));
    expect(err.file).toBe(join(dir, "sites.yaml"));
    expect(err.issues).toEqual([
      { path: "rules[2].params.threshold", line: 26, col: 7, message: "given twice, at lines 23 and 26: the file is refused until one of them is removed" },
    ]);
  });

  it("each key given twice, in a flow mapping too", () => {
    const { err } = refused("sales.yaml", (t) => t.replace("params: { threshold: 0.7, minTransactions: 50 }", "params: { threshold: 0.7, minTransactions: 50, threshold: 0.8 }").replace("    weight: 60\n", "    weight: 60\n    weight: 50\n"));
    expect(err.issues.map((i) => `${i.path} ${i.line}: ${i.message}`)).toEqual([
      "rules[1].params.threshold 16: given twice, at lines 16 and 16: the file is refused until one of them is removed",
      "rules[3].weight 29: given twice, at lines 28 and 29: the file is refused until one of them is removed",
    ]);
  });

  // a rule pasted in without its "- " reads as the rule above given again: removing "one of them" would lose a rule
  it("says a rule lost its \"- \" when a rule's id is given twice, and not each key after it", () => {
    const { err } = refused("descriptors.yaml", (t) => t.replace("  - id: descriptor-churn\n", "    id: descriptor-churn\n"));
    expect(err.issues).toEqual([
      {
        path: "rules[0]",
        line: 10,
        col: 5,
        message:
          'a second rule starts here without the "- " that begins each rule, so its keys read as the rule above\'s given again (id, kind, description, weight, typology, params): write "- id: descriptor-churn", the "- " where the rule above has it',
      },
    ]);
  });
});
