// backtest --report-from: a labelled positive that A alerted inside the window and B before it (B's candidate alerts
// sooner) is a true positive in A and "alerted before the window" in B, so the summary's B − A read "true positives
// -1", a true positive lost, for a merchant B caught earlier. The cell and the line under the table say it.
import { describe, expect, it } from "vitest";
import { BacktestResult, backtest, type Truth } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import type { Event } from "../src/decode/events.js";
import type { Line } from "../src/source/ndjson.js";
import { M1, M2, M3 } from "./helpers/events.js";
import { LABELS, earlyWarning, marchAndApril } from "./helpers/backtest-report-from.js";

async function* linesOf(es: Event[]): AsyncGenerator<Line[]> {
  yield es.map((e, i) => ({ n: i + 1, bytes: Buffer.from(JSON.stringify(e)) }));
}

/** M2 alone positive: M1, which B alerts in April, is not */
const M2_ONLY: Truth = { ...LABELS, merchants: { [M1]: { label: "negative", typologies: [], detail: "benign" }, [M2]: LABELS.merchants[M2]!, [M3]: LABELS.merchants[M3]! } };

describe("backtest --report-from: a positive the candidate alerted before the window, the baseline inside it", () => {
  it("is said to be alerted sooner in B, not a true positive lost", async () => {
    const events = marchAndApril();
    // from between M2's 8th and 10th disputes: B (at 8) alerts it before, A (at 10) after
    const mid = events.filter((e) => e.merchantId === M2 && e.type === "chargeback")[8]!.occurredAt;
    const r = BacktestResult.parse(
      await backtest({
        events: { name: "events.ndjson", batches: linesOf(events) },
        baseline: { name: "a", ruleSet: earlyWarning(10) },
        candidate: { name: "b", ruleSet: earlyWarning(8) },
        indicators: new IndicatorIndex(),
        truth: M2_ONLY,
        reportFrom: { time: mid },
      }),
    );
    expect(r.overall.a).toMatchObject({ truePositives: 1, alertedBefore: 0 });
    expect(r.overall.b).toMatchObject({ truePositives: 0, alertedBefore: 1, falseNegatives: 0 });
    const text = backtestTables(r);
    expect(text).toMatch(/│ true positives\s+│ 1\s+│ 0\s+│ -1 \(1 alerted before the window in B\)\s+│/);
    const line = "1 labelled positive alerted inside the window in A was alerted before it in B: B alerted it sooner, not less, though it counts as a true positive in A only.";
    expect(text).toContain(line);
    expect(backtestHtml(r)).toContain(line);
  });
});
