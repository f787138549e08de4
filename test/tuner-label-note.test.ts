// A tuner lowered the early warning (1% and 8 disputes to 0.8% and 6) and backtested it on the sample: one merchant
// gained an alert, "acq-de:M-200005 negative (hard-negative)", and on a generated population 76 did, each "negative
// (benign)". What each was, the labels file said in its note ("one rebrand ...; 6 chargebacks, 5 for fraud (too few
// for the early warning)", "near the line (bad-month): ..."), and the report dropped it. Merchants that gain or lose
// an alert now carry their label's note: in the JSON (note), the HTML table and the terminal table.
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
const NOTE = "one rebrand: exactly two descriptors over the two months; 6 chargebacks, 5 for fraud (too few for the early warning)";

describe("a merchant that gains an alert, with a labels file", () => {
  it("carries its label's note", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-tuner-note-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const file = join(dir, "chargebacks.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("ratio: 0.01, minCount: 8 }", "ratio: 0.008, minCount: 6 }"));
    const r = await backtest({
      events: { name: EVENTS, batches: readLineBatches(EVENTS) },
      baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
      candidate: { name: dir, ruleSet: loadRuleSet(dir) },
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
      truth: labelsFromFile(join(SAMPLE_DIR, "labels.json")),
    });
    expect(r.alertsAdded.map((m) => [m.merchantId, m.detail, m.note])).toEqual([["acq-de:M-200005", "hard-negative", NOTE]]);
    expect(BacktestResult.parse(r)).toEqual(r);
    expect(backtestHtml(r)).toContain(`<td>acq-de:M-200005</td><td>negative (hard-negative)</td><td>+early-warning-disputes (changed), fraud-reason-cluster, high-risk-mcc</td><td>${NOTE}</td>`);
    // wrapped in its column, word by word
    const text = backtestTables(r);
    expect(text).toContain("label's note");
    const row = text.slice(text.indexOf("│ alerted only in B"));
    const lines = row.split("\n");
    const cells = lines
      .slice(0, lines.findIndex((l) => !l.startsWith("│")))
      .map((l) => l.split("│")[5]!.trim())
      .join(" ")
      .trim();
    expect(cells).toBe(NOTE);
    expect(lines.slice(0, 2).every((l) => l.split("│")[5]!.trim().length <= 60)).toBe(true);
  });
});
