// Events and rule sets for the backtest --report-from tests (test/backtest-report-from-warm.test.ts,
// test/backtest-report-from-alerted-before.test.ts and test/integration/backtest-topic-report-from.test.ts): a two-month dispute ratio that builds in March and crosses
// the line in April.
import { BacktestResult, backtest, type BacktestInput, type Truth } from "../../src/app/backtest.js";
import { IndicatorIndex } from "../../src/indicators/index.js";
import type { Event } from "../../src/decode/events.js";
import type { RuleSet } from "../../src/rules/ruleset.js";
import { HIGH_RISK_MCC, M1, M2, M3, chargeback, merchant, resetEvents, ruleSetWith, setClock, times, tx } from "./events.js";

export const APRIL = "2026-04-01T00:00:00Z";

/** disputes and fraud reports at 1% of card-not-present sales over two months, at least `minCount` of them */
export const earlyWarning = (minCount: number): RuleSet =>
  ruleSetWith(`
  - id: early-warning
    kind: chargeback-ratio
    weight: 60
    typology: excessive-disputes
    params:
      measure: window
      mccs: high-risk
      levels:
        - { name: "early warning", ratio: 0.01, minCount: ${minCount} }`);

/**
 * M1: 400 sales and 6 disputes in March, 20 sales and 3 disputes in April: 9 of 420 (2.1%) once April's third comes.
 * M2: 300 sales and 10 disputes in March, alerted then; 20 sales in April, nothing new.
 * M3: a profile and 5 sales in March only: not among the merchants an April report counts.
 * 724 events in March, 43 in April.
 */
export function marchAndApril(): Event[] {
  resetEvents("2026-03-01T00:00:00Z", 60_000);
  const out: Event[] = [merchant({ merchantId: M1, mcc: HIGH_RISK_MCC }), merchant({ merchantId: M2, mcc: HIGH_RISK_MCC })];
  setClock("2026-03-02T00:00:00Z", 60_000);
  out.push(...times(400, () => tx({ merchantId: M1 })), ...times(6, () => chargeback({ merchantId: M1 })));
  out.push(...times(300, () => tx({ merchantId: M2 })), ...times(10, () => chargeback({ merchantId: M2 })));
  out.push(merchant({ merchantId: M3 }), ...times(5, () => tx({ merchantId: M3 })));
  setClock("2026-04-02T00:00:00Z", 60_000);
  out.push(...times(20, () => tx({ merchantId: M1 })), ...times(20, () => tx({ merchantId: M2 })), ...times(3, () => chargeback({ merchantId: M1 })));
  return out;
}

/** M1 and M2 positive, M3 negative */
export const LABELS: Truth = {
  source: "labels.json",
  merchants: {
    [M1]: { label: "positive", typologies: ["excessive-disputes"], detail: "positive" },
    [M2]: { label: "positive", typologies: [], detail: "positive" },
    [M3]: { label: "negative", typologies: [], detail: "benign" },
  },
};

/**
 * A backtest of `events` where A alerts at 8 disputes and B at 10: both alert M2 (10 in March) in March, and M1 (9 by
 * April) only A, in April; labelled LABELS unless `o` says otherwise.
 */
export const eightAgainstTen = (events: BacktestInput["events"], o: Partial<BacktestInput> = {}): Promise<BacktestResult> =>
  backtest({
    events,
    baseline: { name: "a", ruleSet: earlyWarning(8) },
    candidate: { name: "b", ruleSet: earlyWarning(10) },
    indicators: new IndicatorIndex(),
    truth: LABELS,
    ...o,
  }).then((r) => BacktestResult.parse(r));
