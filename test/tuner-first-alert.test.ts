// A tuner asked to make the chargeback early warning fire sooner lowers its minimum count and backtests it: the
// summary and the sweep counted only merchants gaining or losing an alert, so a change that alerts the same
// merchants days earlier read as "no change" (the sample: acq-nl:M-100003 is alerted on 29 March instead of 2 April
// with minCount 6), and one that alerts them later as harmless. The report now says, of the merchants alerted in
// both sets, how many were first alerted earlier or later in B and by how many days, in the JSON, the terminal
// summary, the HTML page and at each value of a sweep.
import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { BacktestResult, backtest, labelsFromFile, parseSweep, sweepRuleSets } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const rulesCopy = defaultRulesCopies("tuner-first-alert");
/** the early warning with 6 events where the pack needs 8 */
const sooner = rulesCopy({ "chargebacks.yaml": (t) => t.replace('{ name: "early warning", ratio: 0.01, minCount: 8 }', '{ name: "early warning", ratio: 0.01, minCount: 6 }') });

const run = async (baseline: string, candidate: string, sweep?: string, labelled = false) =>
  BacktestResult.parse(
    await backtest({
      events: { name: EVENTS, batches: readLineBatches(EVENTS) },
      baseline: { name: baseline, ruleSet: loadRuleSet(baseline) },
      candidate: { name: candidate, ruleSet: loadRuleSet(candidate) },
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
      ...(sweep && { sweep: sweepRuleSets(candidate, parseSweep(sweep)) }),
      ...(labelled && { truth: labelsFromFile(join(SAMPLE_DIR, "labels.json")) }),
    }),
  );

// 2026-03-29T08:25:43Z in B, 2026-04-02T07:25:35Z in A: 3 days 23 h 59 min 52 s
const DAYS = 3.96;

describe("backtest: when merchants alerted in both sets are first alerted", () => {
  it("counts those alerted earlier in B, with the median and the most days", async () => {
    const r = await run(DEFAULT_RULES, sooner);
    expect(r.alertsAdded.map((m) => m.merchantId)).toEqual(["acq-de:M-200005"]);
    expect(r.firstAlerts).toEqual({ earlier: { merchants: 1, medianDays: DAYS, mostDays: DAYS, positives: null }, later: { merchants: 0, medianDays: null, mostDays: null, positives: null } });
    const line = "First alert of the merchants alerted in both: 1 earlier in B (median 4.0 days, at most 4.0), none later.";
    expect(backtestTables(r)).toContain(`\n${line}\n`);
    expect(backtestHtml(r)).toContain(line);
  });

  it("with labels, how many of them are labelled positive: true cases caught sooner, not false alarms", async () => {
    const r = await run(DEFAULT_RULES, sooner, undefined, true);
    expect(r.firstAlerts.earlier).toEqual({ merchants: 1, medianDays: DAYS, mostDays: DAYS, positives: 1 });
    expect(r.firstAlerts.later.positives).toBe(0);
    expect(backtestTables(r)).toContain("First alert of the merchants alerted in both: 1 earlier in B (median 4.0 days, at most 4.0; 1 labelled positive), none later.");
  });

  it("and those alerted later, the change undone", async () => {
    const r = await run(sooner, DEFAULT_RULES);
    expect(r.firstAlerts).toEqual({ earlier: { merchants: 0, medianDays: null, mostDays: null, positives: null }, later: { merchants: 1, medianDays: DAYS, mostDays: DAYS, positives: null } });
    expect(backtestTables(r)).toContain("First alert of the merchants alerted in both: none earlier in B, 1 later (median 4.0 days, at most 4.0).");
  });

  it("says when nothing moved", async () => {
    const r = await run(DEFAULT_RULES, DEFAULT_RULES);
    expect(backtestTables(r)).toContain("First alert of the merchants alerted in both: at the same time in A and B.");
  });

  it("at each value of a sweep, against A", async () => {
    const r = await run(DEFAULT_RULES, DEFAULT_RULES, "early-warning-disputes.params.levels[0].minCount=5:8:1");
    const at = (v: number) => r.sweep!.points.find((p) => p.value === v)!;
    expect(at(6).firstAlerts.earlier).toEqual({ merchants: 1, medianDays: DAYS, mostDays: DAYS, positives: null });
    // minCount 7 alerts no merchant more, and one sooner: the sweep read "no change" there
    expect(at(7)).toMatchObject({ alertsAdded: 0, alertsRemoved: 0, firstAlerts: { earlier: { merchants: 1 } } });
    expect(at(8).firstAlerts).toEqual({ earlier: { merchants: 0, medianDays: null, mostDays: null, positives: null }, later: { merchants: 0, medianDays: null, mostDays: null, positives: null } });
    expect(backtestTables(r)).toMatch(/│ 6\s+│ 3\s+│ –\s+│ 13\s+│ 1\s+│ 0\s+│ 1 \(4\.0 d\)\s+│ 0\s+│/);
  });
});
