// backtest --report-from: the events before it are run (the state is built as live had it) and count in nothing;
// only what happens from then on is reported. A merchant whose two-month dispute ratio builds in March and crosses
// the line in April is alerted in an April report with the warm state, and not when April is run cold (--from).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestError, BacktestResult, backtest, parseReportFrom, type BacktestInput } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import type { Event } from "../src/decode/events.js";
import type { Line } from "../src/source/ndjson.js";
import { CLI } from "./helpers/cli.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { HIGH_RISK_MCC, M1, M2, M3, chargeback, merchant, resetEvents, ruleSetWith, setClock, times, tx } from "./helpers/events.js";

const APRIL = "2026-04-01T00:00:00Z";

/** disputes and fraud reports at 1% of card-not-present sales over two months, at least `minCount` of them */
const earlyWarning = (minCount: number) =>
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
 */
function events(): Event[] {
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

async function* linesOf(es: Event[]): AsyncGenerator<Line[]> {
  // two batches, the second starting in March: a batch may hold events on both sides of the report's start
  const lines = es.map((e, i) => ({ n: i + 1, bytes: Buffer.from(JSON.stringify(e)) }));
  yield lines.slice(0, 500);
  yield lines.slice(500);
}

function run(o: Partial<BacktestInput>): Promise<BacktestResult> {
  const es = events();
  return backtest({
    events: { name: "events.ndjson", batches: linesOf(es) },
    // A alerts at 8 disputes, B at 10: M1 (9) is alerted in A only
    baseline: { name: "a", ruleSet: earlyWarning(8) },
    candidate: { name: "b", ruleSet: earlyWarning(10) },
    indicators: new IndicatorIndex(),
    truth: {
      source: "labels.json",
      merchants: {
        [M1]: { label: "positive", typologies: ["excessive-disputes"], detail: "positive" },
        [M2]: { label: "positive", typologies: [], detail: "positive" },
        [M3]: { label: "negative", typologies: [], detail: "benign" },
      },
    },
    ...o,
  }).then((r) => BacktestResult.parse(r));
}

describe("backtest --report-from", () => {
  it("a ratio built before the window alerts inside it with the warm state, and not cold", async () => {
    const cold = await run({ from: { time: APRIL } });
    expect(cold.overall.a.alerted).toBe(0);
    expect(cold.alertsRemoved).toEqual([]);

    const warm = await run({ reportFrom: { time: APRIL } });
    // M1 crosses in April in A only; M2's alert was in March, before the report's start, in both
    expect(warm.overall.a).toMatchObject({ alerted: 1, truePositives: 1, falseNegatives: 1, recall: 0.5 });
    expect(warm.overall.b).toMatchObject({ alerted: 0, falseNegatives: 2 });
    expect(warm.alertsRemoved.map((m) => m.merchantId)).toEqual([M1]);
    expect(warm.alertsAdded).toEqual([]);
    // hits are the merchants a rule started to hold on inside the window: M1 in A, not M2 (held since March)
    expect(warm.rules.find((x) => x.rule === "early-warning")).toMatchObject({ a: { hits: 1 }, b: { hits: 0 }, alertsRemoved: 1 });
    expect(warm.events).toMatchObject({ reportFrom: { time: APRIL }, processed: 2 + 406 + 310 + 6 + 43, beforeReport: 2 + 406 + 310 + 6, merchants: 2 });
    // M3's label does not count: it has no event in April
    expect(warm.labels).toMatchObject({ positives: 2, negatives: 0, unknown: 0 });
  });

  it("the whole run, with nothing before the report's start, counts March's alerts", async () => {
    const all = await run({});
    expect(all.overall.a.alerted).toBe(2);
    expect(all.overall.b.alerted).toBe(1);
    expect(all.events).toMatchObject({ reportFrom: null, beforeReport: 0, merchants: 3 });
    expect(all.labels).toMatchObject({ positives: 2, negatives: 1, unknown: 0 });
  });

  it("the terminal summary and the page's charts say the report's window", async () => {
    const r = await run({ reportFrom: { time: APRIL }, to: { time: "2026-04-30T23:59:59Z" } });
    const first = backtestTables(r).split("\n")[0];
    expect(first).toBe(
      `767 events from events.ndjson from the start to 2026-04-30T23:59:59Z; reported from ${APRIL} to 2026-04-30T23:59:59Z: ` +
        `the 724 events before ${APRIL} only built the state (as live had it), and the merchants (2), hits and alerts are those from then on`,
    );
    expect(backtestTables(r)).toContain(`Per rule, from ${APRIL} to 2026-04-30T23:59:59Z (hits: distinct merchants the rule held on;`);
    const html = backtestHtml(r);
    expect(html).toContain(`<h2>Rule hits (distinct merchants), from ${APRIL} to 2026-04-30T23:59:59Z</h2>`);
    expect(html).toContain(`aria-label="rule hits, A and B, from ${APRIL} to 2026-04-30T23:59:59Z"`);
  });

  it("--report-from is a time inside the window", () => {
    expect(parseReportFrom(APRIL, "2026-03-01T00:00:00Z", undefined)).toEqual({ time: APRIL });
    expect(parseReportFrom(APRIL, "10", "2026-04-02T00:00:00Z")).toEqual({ time: APRIL });
    expect(() => parseReportFrom("100", undefined, undefined)).toThrow(
      new BacktestError("--report-from 100: give an RFC 3339 time (2026-04-01T00:00:00Z): the report counts what happens from then on, by each event's occurredAt"),
    );
    expect(() => parseReportFrom(APRIL, "2026-04-02T00:00:00Z", undefined)).toThrow(
      new BacktestError(`--report-from ${APRIL} is before --from 2026-04-02T00:00:00Z: events before --from are not run at all; give --report-from at or after --from (or an earlier --from, to build the state from then)`),
    );
    expect(() => parseReportFrom(APRIL, undefined, "2026-03-31T00:00:00Z")).toThrow(
      new BacktestError(`--report-from ${APRIL} is after --to 2026-03-31T00:00:00Z: the report would count nothing; give a --report-from before --to`),
    );
  });
});

describe("moneytrail backtest --report-from", () => {
  it("reports from the time given, and refuses one before --from", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-report-from-"));
    try {
      const file = join(dir, "events.ndjson");
      writeFileSync(file, events().map((e) => `${JSON.stringify(e)}\n`).join(""));
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [...CLI, "backtest", "--events", file, "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", ...args], { encoding: "utf8", timeout: 60_000 });
      const ok = cli("--report-from", APRIL);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout.split("\n")[0]).toBe(
        `767 events from ${file}; reported from ${APRIL} to the end: the 724 events before ${APRIL} only built the state (as live had it), and the merchants (2), hits and alerts are those from then on`,
      );
      const refused = cli("--from", "2026-04-02T00:00:00Z", "--report-from", APRIL);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`--report-from ${APRIL} is before --from 2026-04-02T00:00:00Z`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
