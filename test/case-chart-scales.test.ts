// The case chart draws chargebacks on a right-hand scale of their own, so that a single chargeback reaches the top of
// the chart, as high as the busiest day's sales. Its scales were two bare numbers ("12" on the left, "1" on the right,
// no zero on the right) and the caption said "right scale" in passing: a reviewer could read the red line's peak as a
// dispute wave the size of the sales. Each scale now says what it counts on the chart itself, both run from 0, and
// the caption says what the top of each is. The data are unchanged.
import { describe, expect, it } from "vitest";
import { activityChart } from "../src/web/chart.js";

const RED = "#b91c1c";
const BLUE = "#2b5d9c";

describe("the case chart's two scales", () => {
  it("say what each counts, from 0, and that the line's top is its own number", () => {
    const out = String(activityChart([{ day: "2026-03-01", sales: 12, amountMinor: 1200, chargebacks: 0 }, { day: "2026-03-02", sales: 3, amountMinor: 300, chargebacks: 1 }]));
    const svg = out.slice(0, out.indexOf("</svg>"));
    const texts = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ fill: /fill="([^"]*)"/.exec(m[1]!)?.[1], x: Number(/\bx="([^"]*)"/.exec(m[1]!)?.[1]), text: m[2]! }));
    const left = texts.filter((t) => t.fill === BLUE);
    const right = texts.filter((t) => t.fill === RED);
    expect(left.map((t) => t.text)).toEqual(["12", "0", "sales a day (bars)"]);
    expect(right.map((t) => t.text)).toEqual(["1", "0", "chargebacks a day (line)"]);
    expect(Math.max(...left.map((t) => t.x))).toBeLessThan(Math.min(...right.map((t) => t.x)));
    const caption = /<figcaption[^>]*>(.*?)<\/figcaption>/s.exec(out)?.[1];
    expect(caption).toBe(
      "Bars: sales per day, on the left scale (0 to 12). Red line: chargebacks per day, on a scale of its own, the right one (0 to 1): the line at the top is 1 chargeback, where a bar at the top is 12 sales. As of the latest alert.",
    );
    // and plural where it is
    expect(String(activityChart([{ day: "2026-03-01", sales: 1, amountMinor: 100, chargebacks: 4 }]))).toContain("the line at the top is 4 chargebacks, where a bar at the top is 1 sale.");
  });
});
