// On a 5,000-merchant population the terminal's "alerts differ" table ran to ~250 lines, past everything else the
// report says. The terminal shows the first merchants and how many more there are; the HTML and JSON keep them all.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { BacktestResult, backtest } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const copy = defaultRulesCopies("alerts-differ-cap");

describe("the terminal's table of merchants whose alerts differ", () => {
  it("shows 40 merchants, then how many more and where they all are", async () => {
    // the severity bands moved: merchants alerted in both, at another severity
    const candidate = copy({ "ruleset.yaml": (t) => t.replace("critical: 90", "critical: 95") });
    const r = BacktestResult.parse(
      await backtest({
        events: { name: EVENTS, batches: readLineBatches(EVENTS) },
        baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
        candidate: { name: candidate, ruleSet: loadRuleSet(candidate) },
        indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
      }),
    );
    expect(r.alertsChanged.length).toBeGreaterThan(0);
    // as many as a large population has: the sample's first one under synthetic ids
    const many = (n: number): BacktestResult => ({ ...r, alertsChanged: Array.from({ length: n }, (_, i) => ({ ...r.alertsChanged[0]!, merchantId: `acq-test:M-${900000 + i}` })) });
    const shown = (text: string) => [...text.matchAll(/acq-test:M-9\d{5}/g)].length;

    const text = backtestTables(many(45));
    expect(shown(text)).toBe(40);
    expect(text).toContain("\n5 more merchants whose alerts differ: the HTML (--html) and JSON (--json, alertsChanged) reports list every one.\n");
    expect(shown(backtestHtml(many(45)))).toBe(45);

    expect(shown(backtestTables(many(40)))).toBe(40);
    expect(backtestTables(many(40))).not.toContain("more merchants whose alerts differ");
  });
});
