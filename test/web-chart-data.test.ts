// The case page's activity chart is an image to a screen reader (role="img": its bars' tooltips are not read), so
// the days' numbers are also given as a table, which needs no script and no eyes.
import { describe, expect, it } from "vitest";
import { activityChart } from "../src/web/chart.js";

describe("the activity chart", () => {
  it("gives each day's sales and chargebacks as a table beside the picture, days without activity as zero", () => {
    const out = String(activityChart([{ day: "2026-02-27", sales: 1, amountMinor: 100, chargebacks: 0 }, { day: "2026-03-01", sales: 12, amountMinor: 200, chargebacks: 3 }]));
    const table = /<\/svg>[\s\S]*?(<table[\s\S]*?<\/table>)/.exec(out)?.[1];
    expect(table).toBeDefined();
    expect([...table!.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(["Day (UTC)", "Sales", "Chargebacks"]);
    const rows = [...table!.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
    expect(rows).toEqual([
      ["2026-02-27", "1", "0"],
      ["2026-02-28", "0", "0"],
      ["2026-03-01", "12", "3"],
    ]);
  });
});
