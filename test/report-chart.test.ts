// The review report's bar charts: twelve ISO week labels (2026-W14) drawn under every bar overlapped, each about
// as wide as its week's slot; the axis now names as many as fit side by side, and the table under the chart all.
import { describe, expect, it } from "vitest";
import { barChart } from "../src/web/chart.js";

const weeks = (n: number) => Array.from({ length: n }, (_, i) => `20${26 + Math.floor(i / 52)}-W${String((i % 52) + 1).padStart(2, "0")}`);
const chart = (categories: string[]) =>
  barChart({ id: "c", title: "Cases opened and decided per week", desc: "test", categoryHeader: "Week", categories, series: [{ name: "opened", color: "#2b5d9c", values: categories.map((_, i) => i) }] }).value;
/** The x of each label under the axis. */
const labels = (svg: string): number[] => [...svg.matchAll(/<text x="([\d.]+)" y="190" text-anchor="middle" font-size="11">/g)].map((m) => Number(m[1]));

describe("a bar chart's category labels", () => {
  it.each([12, 26, 105])("do not overlap for %i weeks, and the table has every week", (n) => {
    const html = chart(weeks(n));
    const xs = labels(html);
    expect(xs.length).toBeGreaterThan(1);
    // a label of 8 characters at font-size 11 is about 52 px wide
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(58);
    expect([...html.matchAll(/<tr><th scope="row">/g)]).toHaveLength(n);
  });

  it("is titled and described for a screen reader", () => {
    const html = chart(weeks(3));
    expect(html).toContain('<svg role="img" aria-labelledby="c-title c-desc"');
    expect(html).toContain('<title id="c-title">Cases opened and decided per week</title><desc id="c-desc">test</desc>');
  });
});
