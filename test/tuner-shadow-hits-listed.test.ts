// A tuner tried the early warning at 0.8% and 6 disputes as a shadow rule beside the one in force, as README says
// to ("try a rule this way, then switch it to live"), and backtested it: the per-rule table said the shadow rule hit
// 3 merchants, "affected 3", precision 66.7%, and nowhere which 3, so the one negative among them could not be looked
// at before putting the rule live. The merchants a rule hits in one set and not the other are now listed (JSON
// hitsChanged, a table on the terminal and in the HTML), each with its label and the labels file's note.
import { describe, it, expect } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestResult, backtest, labelsFromFile } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const TRIAL = `
  - id: early-warning-lower
    kind: chargeback-ratio
    description: Trying the early warning at 0.8%.
    weight: 40
    mode: shadow
    typology: excessive-disputes
    params:
      measure: window
      mccs: high-risk
      levels:
        - { name: "early warning (trial)", ratio: 0.008, minCount: 6 }
`;

describe("a shadow rule tried beside the set in force", () => {
  it("lists the merchants it hits, with their labels", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-tuner-shadow-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const file = join(dir, "chargebacks.yaml");
    writeFileSync(file, readFileSync(file, "utf8") + TRIAL);
    const r = await backtest({
      events: { name: EVENTS, batches: readLineBatches(EVENTS) },
      baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
      candidate: { name: dir, ruleSet: loadRuleSet(dir) },
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
      truth: labelsFromFile(join(SAMPLE_DIR, "labels.json")),
    });
    expect(r.alertsAdded).toEqual([]);
    expect(r.hitsChanged.map((h) => [h.rule, h.side, h.mode, h.merchantId, h.label])).toEqual([
      ["early-warning-lower", "b", "shadow", "acq-de:M-200005", "negative"],
      ["early-warning-lower", "b", "shadow", "acq-fr:M-300002", "positive"],
      ["early-warning-lower", "b", "shadow", "acq-nl:M-100003", "positive"],
    ]);
    expect(r.hitsChanged[0]!.note).toBe("one rebrand: exactly two descriptors over the two months; 6 chargebacks, 5 for fraud (too few for the early warning)");
    expect(BacktestResult.parse(r)).toEqual(r);
    const text = backtestTables(r);
    expect(text).toContain("Merchants a rule hits in one set only (the per-rule table's affected):");
    expect(text).toMatch(/│ early-warning-lower\s*│ only in B \(shadow\)\s*│ acq-de:M-200005\s*│ negative \(hard-negative\)\s*│ one rebrand/);
    expect(backtestHtml(r)).toContain("<td>early-warning-lower</td><td>only in B (shadow)</td><td>acq-de:M-200005</td><td>negative (hard-negative)</td><td>one rebrand:");
  });
});
