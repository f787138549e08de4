// A change to the set's scoring (alertAt, the severity bands, realertOnScoreRise) changes alerts while every rule's
// own configuration stays the same: the report showed each rule as "same", a merchant losing its alert beside rules
// that had not changed, and nowhere the change itself, so a tuner reading it later, or the colleague it was sent to
// for approval, could not tell why. The set-wide settings that differ are now listed, A and B, in the JSON, the
// terminal summary and the HTML page.
import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { BacktestResult, backtest } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");

const rulesCopy = defaultRulesCopies("backtest-scoring");
/** The default pack with its ruleset.yaml edited. */
const settingsWith = (edit: (text: string) => string): string => rulesCopy({ "ruleset.yaml": edit });

const run = async (dir: string) =>
  BacktestResult.parse(
    await backtest({
      events: { name: EVENTS, batches: readLineBatches(EVENTS) },
      baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
      candidate: { name: dir, ruleSet: loadRuleSet(dir) },
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
    }),
  );

describe("backtest: the set's own settings", () => {
  it("lists those that differ, A and B, where every rule is the same", async () => {
    const r = await run(settingsWith((t) => t.replace("alertAt: 60", "alertAt: 70").replace("critical: 90", "critical: 95")));
    expect(r.rules.every((x) => x.change === "same")).toBe(true);
    expect(r.alertsRemoved.length).toBeGreaterThan(0);
    expect(r.settingsChanged).toEqual([
      { setting: "scoring.alertAt", a: 60, b: 70 },
      { setting: "scoring.severity.critical", a: 90, b: 95 },
    ]);
    const line = "Set-wide settings (ruleset:) changed: scoring.alertAt 60 → 70, scoring.severity.critical 90 → 95";
    expect(backtestTables(r)).toContain(`\n${line}\n`);
    expect(backtestHtml(r)).toContain(line);
  });

  it("a list compares as a set, and an MCC added is said as the lists", async () => {
    const r = await run(settingsWith((t) => t.replace('highRiskMccs: ["5967", "7273"', 'highRiskMccs: ["7273", "5967", "5122"')));
    expect(r.settingsChanged).toEqual([{ setting: "highRiskMccs", a: ["4816", "5816", "5818", "5967", "6051", "7273", "7995"], b: ["4816", "5122", "5816", "5818", "5967", "6051", "7273", "7995"] }]);
    expect(backtestTables(r)).toContain("Set-wide settings (ruleset:) changed: highRiskMccs [4816, 5816, 5818, 5967, 6051, 7273, 7995] → [4816, 5122, 5816, 5818, 5967, 6051, 7273, 7995]\n");
  });

  it("says nothing when they are the same, whatever their order", async () => {
    const r = await run(settingsWith((t) => t.replace('highRiskMccs: ["5967", "7273"', 'highRiskMccs: ["7273", "5967"')));
    expect(r.settingsChanged).toEqual([]);
    expect(backtestTables(r)).not.toContain("Set-wide settings");
  });
});
