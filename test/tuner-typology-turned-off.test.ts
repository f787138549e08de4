// A tuner who turned cloaked-content off (enabled: false) to see the set without it read, under the backtest's
// typology table, "No alert names disguised-site (in B): no live rule of it weighs above 0 (a factor such as
// high-risk-mcc …; a rule at weight 0 adds nothing)": the reason given was a weight, which nobody changed. The line
// now says, for each typology, why no alert can name it: its rules turned off, gone or shadow there, or at weight 0.
import { describe, expect, it } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { sampleBacktest } from "./helpers/tuner.js";

const copy = defaultRulesCopies("tuner-typology-turned-off");

const unnamedLines = (text: string) => text.split("\n").filter((l) => l.includes("No alert names"));

describe("the typology line of a rule turned off or made shadow", () => {
  it("names the rule turned off in B, not a weight", async () => {
    const dir = copy({ "sites.yaml": (t) => t.replace("    kind: cloaked-content\n", "    kind: cloaked-content\n    enabled: false\n") });
    const r = BacktestResult.parse(await sampleBacktest(dir));
    const lines = unnamedLines(backtestTables(r));
    expect(lines).toEqual([
      "No alert names disguised-site in B: no rule of it is live there (cloaked-content: enabled: false in B), so its alerted, +/−alerts and recall read – in B.",
    ]);
    expect(backtestHtml(r)).toContain("No alert names disguised-site in B: no rule of it is live there (cloaked-content: enabled: false in B)");
  });

  it("names a shadow rule as shadow, and keeps the factor's own reason beside it", async () => {
    const dir = copy({
      "sites.yaml": (t) => t.replace("    kind: cloaked-content\n", "    kind: cloaked-content\n    mode: shadow\n"),
      // a change of the factor's typology's rule, so that its line is said too
      "sales.yaml": (t) => t.replace("params: { factor: 1.25 }", "params: { factor: 1.3 }"),
    });
    const r = BacktestResult.parse(await sampleBacktest(dir));
    expect(unnamedLines(backtestTables(r))).toEqual([
      "No alert names disguised-site in B: no rule of it is live there (cloaked-content: shadow in B), so its alerted, +/−alerts and recall read – in B.",
      "No alert names high-risk-mcc: no live rule of it weighs above 0 (a factor such as high-risk-mcc multiplies the other evidence; a rule at weight 0 adds nothing), so its alerted, +/−alerts and recall read –; the per-rule rows count the alerts a factor took part in.",
    ]);
  });
});
