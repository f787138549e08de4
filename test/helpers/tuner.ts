// The rule tuner's backtests of the sample: the default pack (A) against an edited copy of it (B, made with
// defaultRulesCopies), with the sample's indicator sets and labels, as docs/backtest.md's first backtest runs them.
import { join } from "node:path";
import { backtest, labelsFromFile, type BacktestInput, type BacktestResult } from "../../src/app/backtest.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { readLineBatches } from "../../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../../src/lib/paths.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");

/** The early warning at 0.8% and 6 disputes instead of 1% and 8: B gains the sample's hard negative acq-de:M-200005. */
export const LOWER_EARLY_WARNING = { "chargebacks.yaml": (t: string) => t.replace("ratio: 0.01, minCount: 8 }", "ratio: 0.008, minCount: 6 }") };

/** The default pack against `candidate` over the sample, with its indicator sets and labels. */
export const sampleBacktest = (candidate: string, more: Partial<BacktestInput> = {}): Promise<BacktestResult> =>
  backtest({
    events: { name: EVENTS, batches: readLineBatches(EVENTS) },
    baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
    candidate: { name: candidate, ruleSet: loadRuleSet(candidate) },
    indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
    truth: labelsFromFile(join(SAMPLE_DIR, "labels.json")),
    ...more,
  });
