// A merchant that gains or loses an alert is listed with the rules that hit it in A and in B, so a tuner sees why
// (a changed rule no longer holds on it, a rule put in shadow, a new rule) without rerunning anything.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BacktestResult, backtest, labelsFromFile } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { defaultRulesCopies, wideEarlyWarning } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const indicators = loadIndicators(join(SAMPLE_DIR, "indicators"));
const truth = labelsFromFile(join(SAMPLE_DIR, "labels.json"));

const copy = defaultRulesCopies("backtest-why");
/** A copy of the default pack with one file's text replaced. */
const rulesWith = (file: string, edit: (text: string) => string): string => copy({ [file]: edit });

const run = (candidate: string) =>
  backtest({
    events: { name: EVENTS, batches: readLineBatches(EVENTS) },
    baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
    candidate: { name: candidate, ruleSet: loadRuleSet(candidate) },
    indicators,
    truth,
  });

describe("backtest: why a merchant gains or loses an alert", () => {
  let lost: BacktestResult;
  let gained: BacktestResult;
  beforeAll(async () => {
    // the early warning at 3.5% instead of 1%, cloaked-content put in shadow, and a wide early warning tried in shadow
    const dir = rulesWith("chargebacks.yaml", (t) => t.replace("ratio: 0.01, minCount: 8", "ratio: 0.035, minCount: 8") + wideEarlyWarning("wide", "shadow"));
    writeFileSync(join(dir, "sites.yaml"), readFileSync(join(dir, "sites.yaml"), "utf8").replace("typology: disguised-site", "typology: disguised-site\n    mode: shadow"));
    lost = await run(dir);
    gained = await run(rulesWith("chargebacks.yaml", (t) => t + wideEarlyWarning("wide", "live")));
  });

  it("gives each the rules that held on it in A and in B, live and shadow", () => {
    expect(lost.alertsAdded).toEqual([]);
    expect(lost.alertsRemoved).toEqual([
      {
        merchantId: "acq-nl:M-100002",
        label: "positive",
        detail: "positive",
        note: "gift-basket site that shows different content by referrer; in April 45% of checkouts come from two undisclosed domains",
        a: { live: ["cloaked-content", "undisclosed-referrers"], shadow: [] },
        b: { live: ["undisclosed-referrers"], shadow: ["cloaked-content"] },
      },
      {
        merchantId: "acq-nl:M-100003",
        label: "positive",
        detail: "positive",
        note: "direct-marketing merchant with about 3% disputes and fraud reports over two months, 80% with fraud reason codes",
        a: { live: ["early-warning-disputes", "fraud-reason-cluster", "high-risk-mcc"], shadow: [] },
        b: { live: ["fraud-reason-cluster", "high-risk-mcc"], shadow: ["wide"] },
      },
    ]);
    expect(gained.alertsAdded).toHaveLength(7);
    for (const m of gained.alertsAdded) expect([m.a.live.includes("wide"), m.b.live.includes("wide")]).toEqual([false, true]);
    expect(BacktestResult.parse(lost)).toEqual(lost);
  });

  it("prints the rules, marking what differs between A and B", () => {
    const text = backtestTables(lost);
    expect(text).toMatch(/alerted only in A\s*│ acq-nl:M-100002\s*│ positive\s*│ −cloaked-content \(shadow in B\), undisclosed-referrers\s*│/);
    expect(text).toMatch(/alerted only in A\s*│ acq-nl:M-100003\s*│ positive\s*│ −early-warning-disputes \(changed\), fraud-reason-cluster, high-risk-mcc\s*│/);
    expect(backtestHtml(lost)).toContain("<td>acq-nl:M-100002</td><td>positive</td><td>−cloaked-content (shadow in B), undisclosed-referrers</td>");
    expect(backtestTables(gained)).toMatch(/alerted only in B\s*│ acq-de:M-200005\s*│ negative \(hard-negative\)\s*│ [^│]*\+wide \(only in B\)/);
  });
});
