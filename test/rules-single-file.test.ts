// A rule tuner pointing --rules, MT_RULES or `rules validate` at one file of a set (rules/sales.yaml) was told "no file
// has a `ruleset:` section (id, scoring); add one", which sends them to add a second ruleset section to the pack;
// the file is part of a directory, which is what to give.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { ConfigError } from "../src/lib/errors.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

describe("one file of a rule set given alone", () => {
  it("says to give the directory it belongs to", () => {
    const file = join(DEFAULT_RULES, "sales.yaml");
    let err: unknown;
    try {
      loadRuleSet(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      { path: "ruleset", message: `this file has no \`ruleset:\` section (id, scoring), which a file given alone needs: give the rule-set directory it belongs to (${DEFAULT_RULES}), or add the section` },
    ]);
  });

  it("takes a file that has its own `ruleset:` section", () => {
    expect(loadRuleSet(join(DEFAULT_RULES, "ruleset.yaml")).id).toBe("efc-default");
  });
});
