// The HTML report's hits chart: rule ids are right-aligned against the bars, so the label column must be as wide
// as the longest id, or a long one starts left of the picture and is cut off.
import { describe, it, expect } from "vitest";
import { backtest } from "../src/app/backtest.js";
import { backtestHtml } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

/** a conservative average width of a character of the chart's 12px sans-serif labels */
const AVERAGE_CHAR_W = 6.5;

async function* nothing() {}

describe("backtest HTML: the hits chart", () => {
  it("shows a long rule id whole: its label starts inside the picture", async () => {
    const rs = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const r = await backtest({ events: { name: "none", batches: nothing() }, baseline: rs, candidate: rs, indicators: new IndicatorIndex() });
    const long = "undisclosed-referrers-of-the-partner-network-in-the-second-region";
    r.rules[0]!.rule = long;
    const svg = /<svg[^>]*aria-label="rule hits, A and B"[\s\S]*?<\/svg>/.exec(backtestHtml(r))![0];
    const label = new RegExp(`<text x="([\\d.]+)"[^>]*text-anchor="end">${long}</text>`).exec(svg);
    expect(label).not.toBeNull();
    expect(Number(label![1])).toBeGreaterThanOrEqual(long.length * AVERAGE_CHAR_W);
    // the bars start right of the label and the picture holds them
    const width = Number(/^<svg width="([\d.]+)"/.exec(svg)![1]);
    const barStart = Number(new RegExp(`<rect x="([\\d.]+)"[^>]*><title>${long} in A`).exec(svg)![1]);
    expect(barStart).toBeGreaterThan(Number(label![1]));
    expect(width).toBeGreaterThan(barStart + 430);
  });
});
