// A tuner swept the early warning's ratio on the sample and read the HTML report's precision/recall chart: it drew
// every swept value of the candidate but not the set in force, so where each value stood against today's rules had to
// be worked out from the summary table above it; the sweep's table had no row for A either. Both now show A.
// The same tuner mistyped the sweep twice: FROM and TO the wrong way round was refused without saying which order,
// and a path through a list without the item's index (params.levels.ratio) without saying how to name the item.
import { describe, it, expect } from "vitest";
import { BacktestError, parseSweep, sweepRuleSets } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { LOWER_EARLY_WARNING, sampleBacktest } from "./helpers/tuner.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(BacktestError);
    return (err as Error).message;
  }
  throw new Error("taken");
};

const rulesCopy = defaultRulesCopies("tuner-sweep");

describe("a sweep, against the set in force", () => {
  it("draws A's precision and recall on the sweep's chart and gives A a row in the sweep's table", async () => {
    const dir = rulesCopy(LOWER_EARLY_WARNING);
    const r = await sampleBacktest(dir, { sweep: sweepRuleSets(dir, parseSweep("early-warning-disputes.params.levels[0].ratio=0.01:0.05:0.02")) });
    // A: all 12 positives, nothing else; the candidate's values gain the hard negative
    expect(r.overall.a).toMatchObject({ truePositives: 12, falsePositives: 0 });
    const page = backtestHtml(r);
    const chart = /<svg[^>]*aria-label="precision against recall over the sweep"[^]*?<\/svg>/.exec(page)![0];
    expect(chart).toContain("<title>A (baseline), the set in force: precision 100%, recall 100%</title>");
    expect(chart).toMatch(/<text [^>]*>A \(baseline\)<\/text>/);
    const table = page.slice(page.indexOf("<h2>Sweep of"));
    expect(table).toContain("<tr><td>A (baseline)</td>");
    const row = /<tr><td>A \(baseline\)<\/td>([^]*?)<\/tr>/.exec(table)![1]!.replace(/<td[^>]*>/g, "").split("</td>").slice(0, -1);
    // rule hits, rule precision, alerted, +/−, earlier, later, TP, FP, precision, recall, F1
    expect(row).toEqual(["2", "100%", "12", "–", "–", "–", "–", "12", "0", "100%", "100%", "100%"]);
    const terminal = backtestTables(r);
    expect(terminal).toMatch(/│ A \(baseline\) +│ 2 +│ 100% +│ 12 +│ – +│ – +│ – +│ – +│ 12 +│ 0 +│ 100% +│ 100% +│ 100% +│/);
  });

  it("says which way round FROM and TO go", () => {
    expect(refusal(() => parseSweep("early-warning-disputes.params.levels[0].ratio=0.05:0.005:0.005"))).toBe(
      "--sweep early-warning-disputes.params.levels[0].ratio=0.05:0.005:0.005: FROM 0.05 is above TO 0.005: give the lower value first (early-warning-disputes.params.levels[0].ratio=0.005:0.05:0.005)",
    );
    expect(refusal(() => parseSweep("subscription-pattern.weight=15:60:0"))).toBe("--sweep subscription-pattern.weight=15:60:0: STEP must be above 0");
  });

  it("names the list item a path through a list must give", () => {
    expect(refusal(() => sweepRuleSets(DEFAULT_RULES, parseSweep("early-warning-disputes.params.levels.ratio=0.005:0.05:0.005")))).toBe(
      '--sweep early-warning-disputes.params.levels.ratio: rule "early-warning-disputes" has no params.levels.ratio (params.levels has a list of 1: name an item by its place from 0, params.levels[0].ratio)',
    );
  });
});
