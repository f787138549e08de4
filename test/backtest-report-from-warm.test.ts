// backtest --report-from: the events before it are run (the state is built as live had it) and count in nothing;
// only what happens from then on is reported. A merchant whose two-month dispute ratio builds in March and crosses
// the line in April is alerted in an April report with the warm state, and not when April is run cold (--from).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestError, BacktestResult, parseReportFrom, parseSweep, sweepRuleSets, type BacktestInput } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import type { Event } from "../src/decode/events.js";
import type { Line } from "../src/source/ndjson.js";
import { CLI } from "./helpers/cli.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { M1 } from "./helpers/events.js";
import { APRIL, eightAgainstTen, marchAndApril } from "./helpers/backtest-report-from.js";

async function* linesOf(es: Event[]): AsyncGenerator<Line[]> {
  // two batches, the second starting in March: a batch may hold events on both sides of the report's start
  const lines = es.map((e, i) => ({ n: i + 1, bytes: Buffer.from(JSON.stringify(e)) }));
  yield lines.slice(0, 500);
  yield lines.slice(500);
}

const run = (o: Partial<BacktestInput>): Promise<BacktestResult> => eightAgainstTen({ name: "events.ndjson", batches: linesOf(marchAndApril()) }, o);

describe("backtest --report-from", () => {
  it("a ratio built before the window alerts inside it with the warm state, and not cold", async () => {
    const cold = await run({ from: { time: APRIL } });
    expect(cold.overall.a.alerted).toBe(0);
    expect(cold.alertsRemoved).toEqual([]);

    const warm = await run({ reportFrom: { time: APRIL } });
    // M1 crosses in April in A only; M2's alert was in March, before the report's start, in both: counted apart
    // (test/backtest-report-from-alerted-before.test.ts), not as missed
    expect(warm.overall.a).toMatchObject({ alerted: 1, truePositives: 1, falseNegatives: 0, alertedBefore: 1, recall: 1 });
    expect(warm.overall.b).toMatchObject({ alerted: 0, falseNegatives: 1, alertedBefore: 1 });
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

  it("a sweep counts from the report's start, and its chart says so", async () => {
    // the default pack's early warning (8 disputes at 1%) swept over its minimum count: M2's March hit does not count
    const pack = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const sweep = sweepRuleSets(DEFAULT_RULES, parseSweep("early-warning-disputes.params.levels[0].minCount=8:10:1"));
    const r = await run({ baseline: pack, candidate: pack, sweep, reportFrom: { time: APRIL } });
    expect(r.sweep!.points.map((p) => [p.value, p.hits])).toEqual([[8, 1], [9, 1], [10, 0]]);
    expect(backtestTables(r)).toContain(`Sweep of early-warning-disputes.params.levels[0].minCount over the candidate, from ${APRIL} to the end (* its current value 8)`);
    // the pack's early warning alone (weight 40) alerts no one: no curve to plot, the heading says the window
    expect(backtestHtml(r)).toContain(`<h2>Sweep of early-warning-disputes.params.levels[0].minCount (candidate; current value 8), from ${APRIL} to the end</h2>`);
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
      writeFileSync(file, marchAndApril().map((e) => `${JSON.stringify(e)}\n`).join(""));
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
