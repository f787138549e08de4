// A rule whose own configuration is the same in A and B can still hit other merchants when a set-wide setting it
// reads changed (the high-risk MCC list, maxSharers): the report marks it changed and says by what, so a tuner does
// not read "same" beside hits that differ.
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { sampleBacktest } from "./helpers/tuner.js";

const MCCS = 'highRiskMccs: ["5967", "7273", "4816", "5816", "6051", "7995", "5818"]';

const rulesCopy = defaultRulesCopies("backtest-settings");
/** The default pack with its ruleset.yaml edited. */
const settingsWith = (edit: (text: string) => string): string => rulesCopy({ "ruleset.yaml": edit });

const run = (dir: string): Promise<BacktestResult> => sampleBacktest(dir);

const row = (r: BacktestResult, id: string) => r.rules.find((x) => x.rule === id)!;

describe("backtest: set-wide settings a rule reads", () => {
  it("an emptied high-risk MCC list marks the rules that read it changed, by it, and only those", async () => {
    const r = await run(settingsWith((t) => t.replace(MCCS, "highRiskMccs: []")));
    const changed = r.rules.filter((x) => x.change !== "same");
    expect(changed.map((x) => [x.rule, x.changedBy])).toEqual([
      ["early-warning-disputes", ["ruleset.highRiskMccs"]],
      ["high-risk-mcc", ["ruleset.highRiskMccs"]],
      ["subscription-pattern", ["ruleset.highRiskMccs"]],
    ]);
    // the point: no rule called the same has different hits
    for (const x of r.rules) if (x.change === "same") expect([x.rule, x.affected]).toEqual([x.rule, 0]);
    expect(row(r, "high-risk-mcc").affected).toBeGreaterThan(0);
    // a chargeback-ratio rule without `mccs: high-risk` does not read the list
    expect(row(r, "visa-vamp")).toMatchObject({ change: "same", changedBy: [] });
    expect(backtestTables(r)).toMatch(/high-risk-mcc\s*│\s*\S+\s*│\s*changed: ruleset\.highRiskMccs/);
    expect(backtestHtml(r)).toContain("<td>changed: ruleset.highRiskMccs</td>");
  });

  it("maxSharers marks shared-infrastructure changed; the same MCCs in another order change nothing", async () => {
    const r = await run(settingsWith((t) => t.replace("maxSharers: 25", "maxSharers: 2").replace(MCCS, 'highRiskMccs: ["5818", "7995", "6051", "5816", "4816", "7273", "5967"]')));
    expect(r.rules.filter((x) => x.change !== "same").map((x) => [x.rule, x.changedBy])).toEqual([["shared-infrastructure", ["ruleset.maxSharers"]]]);
  });

  it("a rule changed both ways names both", async () => {
    const dir = settingsWith((t) => t.replace(MCCS, 'highRiskMccs: ["5967"]'));
    const file = join(dir, "sales.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("threshold: 0.6, minSales: 30", "threshold: 0.5, minSales: 30"));
    const r = await run(dir);
    expect(row(r, "subscription-pattern")).toMatchObject({ change: "changed", changedBy: ["own settings", "ruleset.highRiskMccs"] });
  });
});
