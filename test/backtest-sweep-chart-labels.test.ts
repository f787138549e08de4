// The sweep's precision/recall chart, as a tuner sweeping the set in force draws it: the early warning's minCount from
// 3 to 12 on the sample puts 3…6 at 92.3% precision and 7…12 at 100%, next to each other at recall 100%. Their labels
// were written over each other ("7 … 12 (cur3ent6)"), and A's grey square, at the current value's point, was hidden
// under its circle. Labels are now kept apart, and A's square is drawn over the circle, in outline.
// A point's values that are not neighbours in the sweep (3, 4, 9, 10 on one point, 5…8 on another) were labelled
// "3 … 10", as if 5…8 were there too: a label now names runs of neighbouring values ("3 … 4, 9 … 10").
import { describe, expect, it } from "vitest";
import { parseSweep, sweepRuleSets } from "../src/app/backtest.js";
import { backtestHtml } from "../src/app/backtest-report.js";
import type { BacktestResult } from "../src/app/backtest.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { sampleBacktest } from "./helpers/tuner.js";

/** the chart's own labels (not the axes' ticks): text, x, y and anchor */
function labels(svg: string) {
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)" class="small">([^<]*)<\/text>/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), anchor: m[3]!, text: m[4]! }))
    .filter((l) => !l.text.endsWith("%"));
}

const chart = (r: BacktestResult): string => /<svg[^>]*aria-label="precision against recall over the sweep[\s\S]*?<\/svg>/.exec(backtestHtml(r))![0];

describe("the sweep's precision/recall chart", () => {
  it("keeps the labels of neighbouring points apart, and A's square in sight", async () => {
    const r = await sampleBacktest(DEFAULT_RULES, { sweep: sweepRuleSets(DEFAULT_RULES, parseSweep("early-warning-disputes.params.levels[0].minCount=3:12:1")) });
    const svg = chart(r);
    const ls = labels(svg);
    expect(ls.map((l) => l.text).sort()).toEqual(["3 … 6", "7 … 12 (current)", "A (baseline)"]);
    // 11px text: two labels on the same side less than a line apart overwrite each other
    for (const [i, a] of ls.entries()) for (const b of ls.slice(i + 1)) if (a.anchor === b.anchor && Math.abs(a.x - b.x) < 100) expect(Math.abs(a.y - b.y), `${a.text} / ${b.text}`).toBeGreaterThanOrEqual(12);
    // A's square comes after (over) the circles, so the current value's circle does not hide it
    expect(svg.lastIndexOf("<circle")).toBeLessThan(svg.indexOf("<rect"));
  });

  it("labels a point with runs of neighbouring sweep values, never a range over values elsewhere", async () => {
    const r = await sampleBacktest(DEFAULT_RULES, { sweep: sweepRuleSets(DEFAULT_RULES, parseSweep("early-warning-disputes.params.levels[0].minCount=3:12:1")) });
    // the sample puts only neighbours together: the points are moved so that values apart share one; 6 has none (no
    // alert), so 5 and 7 are not neighbours on the chart either
    const at = (precision: number | null, recall: number | null) => ({ precision, recall });
    const moved: Record<number, ReturnType<typeof at>> = { 3: at(0.5, 0.9), 4: at(0.5, 0.9), 9: at(0.5, 0.9), 10: at(0.5, 0.9), 5: at(0.8, 0.6), 6: at(null, null), 7: at(0.8, 0.6) };
    const sweep = { ...r.sweep!, points: r.sweep!.points.map((p) => ({ ...p, ...(moved[p.value] ?? at(1, 0.4)) })) };
    const svg = chart({ ...r, sweep });
    expect(labels(svg).map((l) => l.text).sort()).toEqual(["3 … 4, 9 … 10", "5, 7", "8, 11 … 12 (current)", "A (baseline)"]);
    expect(svg).toContain("<title>3 … 4, 9 … 10: precision 50%, recall 90%</title>");
  });
});
