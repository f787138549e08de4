// Every backtest of the default pack printed "No alert names high-risk-mcc: …" under the typology table, since
// high-risk-mcc is always a factor (weight 0) whose row reads "–": a line a tuner learns to skip, and then skips
// where it matters. It is said only where it tells something: the factor's rule changed, its row's figures differ
// between A and B, or its rule took part in an alert gained or lost (the per-rule row counts it, the typology's "–").
import { describe, expect, it } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { LOWER_EARLY_WARNING, sampleBacktest } from "./helpers/tuner.js";

const copy = defaultRulesCopies("tuner-factor-line");
const LINE = "No alert names high-risk-mcc";

describe("backtest: the line on a typology no alert names", () => {
  it("is not said when the factor's row and rule are as they were", { timeout: 60_000 }, async () => {
    // a tuner's change elsewhere: cloaked-content's weight
    const r = BacktestResult.parse(await sampleBacktest(copy({ "sites.yaml": (t) => t.replace("weight: 45", "weight: 46") })));
    expect(r.typologies.find((t) => t.typology === "high-risk-mcc")).toMatchObject({ a: { named: false }, b: { named: false } });
    expect(backtestTables(r)).not.toContain(LINE);
    expect(backtestHtml(r)).not.toContain(LINE);
    // the row still reads – where no alert can name it
    expect(backtestTables(r)).toMatch(/│ high-risk-mcc\s+│ 8\s+│ 0\s+│ –\s+│ –\s+│ –\s+│/);
  });

  it("is said when the factor's rule changed, its figures alike", { timeout: 60_000 }, async () => {
    const r = BacktestResult.parse(await sampleBacktest(copy({ "sales.yaml": (t) => t.replace("factor: 1.25", "factor: 1.3") })));
    expect(r.rules.find((x) => x.rule === "high-risk-mcc")!.change).toBe("changed");
    expect(backtestTables(r)).toContain(`${LINE}:`);
    expect(backtestHtml(r)).toContain(`${LINE}:`);
  });

  it("is said when the factor's rule took part in an alert gained", { timeout: 60_000 }, async () => {
    const r = BacktestResult.parse(await sampleBacktest(copy(LOWER_EARLY_WARNING)));
    expect(r.rules.find((x) => x.rule === "high-risk-mcc")).toMatchObject({ change: "same", alertsAdded: 1 });
    expect(backtestTables(r)).toContain(`${LINE}:`);
  });
});
