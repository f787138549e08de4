// A typology no alert can name (every live rule of it weighs 0: high-risk-mcc, a factor that multiplies the other
// evidence) read "alerted 0 → 0" in the backtest's typology table and yet "+alerts 1": its +/−alerts counted the
// merchants its rule hit, where alerted and recall count the alerts that name it. A typology's +/−alerts now count
// gained or lost merchants whose alerts name it, and on a side where no alert can, its alerted, +/−alerts and recall
// read "–", with a line saying why. A rule at weight 0 that is not a factor adds nothing to any score, so, as a shadow
// rule, it gains or loses no alert in the per-rule table; a factor's row still counts the alerts it multiplied.
import { describe, expect, it } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { LOWER_EARLY_WARNING, sampleBacktest } from "./helpers/tuner.js";

const copy = defaultRulesCopies("weightless-typology");

/** a second reason cluster at weight 0 with a typology of its own: it hits the merchant B gains and adds nothing */
const PROBE = `
  - id: reason-cluster-probe
    kind: reason-cluster
    weight: 0
    typology: probe
    params: { reasonCodes: ["10.4", "4837", "4863"], threshold: 0.6, minChargebacks: 6 }
`;

describe("backtest: a typology and a rule that weigh 0", () => {
  it("the factor's typology counts no alert it is not named in, and its row says –; its rule's row keeps the alert it multiplied", async () => {
    // B gains acq-de:M-200005, a high-risk MCC merchant the factor high-risk-mcc multiplies
    const r = BacktestResult.parse(await sampleBacktest(copy(LOWER_EARLY_WARNING)));
    expect(r.alertsAdded.map((m) => m.merchantId)).toEqual(["acq-de:M-200005"]);
    const t = r.typologies.find((x) => x.typology === "high-risk-mcc")!;
    expect(t).toMatchObject({ a: { named: false, alerted: 0 }, b: { named: false, alerted: 0 }, alertsAdded: 0, alertsRemoved: 0 });
    expect(r.typologies.find((x) => x.typology === "excessive-disputes")).toMatchObject({ a: { named: true }, b: { named: true }, alertsAdded: 1 });
    expect(r.rules.find((x) => x.rule === "high-risk-mcc")!.alertsAdded).toBe(1);
    const text = backtestTables(r);
    expect(text).toMatch(/│ high-risk-mcc\s+│ 8\s+│ 0\s+│ –\s+│ –\s+│ –\s+│ 0\s+│ 62\.5%\s+│ –\s+│/);
    const line =
      "No alert names high-risk-mcc: no live rule of it weighs above 0 (a factor such as high-risk-mcc multiplies the other evidence; a rule at weight 0 adds nothing), so its alerted, +/−alerts and recall read –; the per-rule rows count the alerts a factor took part in.";
    expect(text).toContain(line);
    const html = backtestHtml(r);
    expect(html).toContain("<tr><td>high-risk-mcc</td><td class=\"n\">8</td><td class=\"n\">8</td><td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">–</td><td class=\"n\">–</td><td class=\"n\">–</td><td class=\"n\">–</td>");
    expect(html).toContain(line);
  });

  it("a rule at weight 0 that hits a merchant B gains is not counted as gaining it", async () => {
    const r = BacktestResult.parse(await sampleBacktest(copy({ ...LOWER_EARLY_WARNING, "chargebacks.yaml": (x) => LOWER_EARLY_WARNING["chargebacks.yaml"](x) + PROBE })));
    expect(r.alertsAdded.map((m) => m.merchantId)).toEqual(["acq-de:M-200005"]);
    expect(r.alertsAdded[0]!.b.live).toContain("reason-cluster-probe");
    expect(r.rules.find((x) => x.rule === "reason-cluster-probe")).toMatchObject({ change: "only-b", alertsAdded: 0 });
    expect(r.rules.find((x) => x.rule === "fraud-reason-cluster")!.alertsAdded).toBe(1);
    expect(r.typologies.find((x) => x.typology === "probe")).toMatchObject({ b: { named: false }, alertsAdded: 0 });
  });
});
