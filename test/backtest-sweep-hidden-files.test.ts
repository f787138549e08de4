// A sweep reads the candidate's files as the rule-set loader does: an editor's lock file or macOS's AppleDouble file
// beside a rule file (which `rules validate` passes over) must not make the sweep fail or read them.
import { describe, expect, it } from "vitest";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseSweep, sweepRuleSets } from "../src/app/backtest.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const copy = defaultRulesCopies("sweep-hidden");

describe("--sweep over a candidate directory with hidden files", () => {
  it("sweeps the rule files only, as rules validate reads them", () => {
    const dir = copy();
    // Emacs's lock while chargebacks.yaml has unsaved changes: a link to nothing
    symlinkSync("tuner@rules-host.4242:1796500000", join(dir, ".#chargebacks.yaml"));
    writeFileSync(join(dir, "._ruleset.yaml"), Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, 0x4d, 0x61, 0x63]));
    const version = loadRuleSet(dir).version;
    const sweep = sweepRuleSets(dir, parseSweep("early-warning-disputes.params.levels[0].ratio=0.01:0.02:0.01"));
    expect(sweep.points.map((p) => p.value)).toEqual([0.01, 0.02]);
    // the candidate's own value gives the candidate itself
    expect(sweep.points[0]!.ruleSet.version).toBe(version);
  });
});
