// The backtest on the labelled sample, whose answers are known: the default pack catches all 12 positives and
// alerts no negative, so each candidate below has a known effect (a lost positive, new false positives kept in
// shadow, a threshold sweep) and the figures are asserted exactly. Also: windows, bad lines, refused sweeps, the
// JSON schema, and reports that carry no URL from the events.
import { describe, it, expect, beforeAll } from "vitest";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BacktestError,
  BacktestResult,
  backtest,
  checkWindow,
  labelsFromFile,
  parseBound,
  parseSweep,
  sweepRuleSets,
  sweepValues,
  type BacktestInput,
} from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches, type Line } from "../src/source/ndjson.js";
import { ConfigError } from "../src/lib/errors.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { wideEarlyWarning } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const indicators = loadIndicators(join(SAMPLE_DIR, "indicators"));
const truth = labelsFromFile(join(SAMPLE_DIR, "labels.json"));
const baseline = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
const sampleLines = readFileSync(EVENTS, "utf8").split("\n").filter(Boolean);

/** A copy of the default pack with text edits; an edit that changes nothing fails the test. */
function rulesWith(edits: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-backtest-rules-"));
  cpSync(DEFAULT_RULES, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const before = readFileSync(join(dir, file), "utf8");
    const after = edit(before);
    expect(after, `edit of ${file}`).not.toBe(before);
    writeFileSync(join(dir, file), after);
  }
  return dir;
}

const candidate = (dir: string) => ({ name: dir, ruleSet: loadRuleSet(dir) });

function run(o: Partial<BacktestInput> & Pick<BacktestInput, "candidate">): Promise<BacktestResult> {
  return backtest({ events: { name: EVENTS, batches: readLineBatches(EVENTS) }, baseline, indicators, truth, ...o });
}

async function* linesOf(lines: string[]): AsyncGenerator<Line[]> {
  yield lines.map((l, i) => ({ n: i + 1, bytes: Buffer.from(l) }));
}

const EARLY_WARNING = '- { name: "early warning", ratio: 0.01, minCount: 8 }';
const hitsOf = (r: BacktestResult) => Object.fromEntries(r.rules.map((x) => [x.rule, [x.a?.hits ?? null, x.b?.hits ?? null]]));

describe("backtest: baseline against itself", () => {
  it("changes nothing, and the default pack scores perfectly on the sample", async () => {
    const r = await run({ candidate: baseline });
    expect(r.events).toMatchObject({ lines: sampleLines.length, processed: sampleLines.length, outsideWindow: 0, merchants: 79 });
    expect(r.events.rejected.total).toBe(0);
    expect(r.labels).toEqual({ source: join(SAMPLE_DIR, "labels.json"), positives: 12, negatives: 67, unknown: 0 });
    const perfect = { alerted: 12, truePositives: 12, falsePositives: 0, falseNegatives: 0, alertedBefore: 0, unlabelled: 0, precision: 1, recall: 1, f1: 1 };
    expect(r.overall).toEqual({ a: perfect, b: perfect });
    expect([r.alertsAdded, r.alertsRemoved]).toEqual([[], []]);
    expect(r.rules.every((x) => x.change === "same" && x.affected === 0 && x.a?.hits === x.b?.hits)).toBe(true);
    for (const t of r.typologies.filter((x) => x.a.recall !== null)) expect([t.typology, t.a.recall]).toEqual([t.typology, 1]);
  });
});

describe("backtest: a candidate that raises a threshold", () => {
  // early warning at 3.5% instead of 1%: the direct-marketing merchant with about 3% disputes is no longer alerted
  let r: BacktestResult;
  beforeAll(async () => {
    const dir = rulesWith({ "chargebacks.yaml": (t) => t.replace(EARLY_WARNING, EARLY_WARNING.replace("0.01", "0.035")) });
    r = await run({ candidate: candidate(dir) });
  });

  it("loses exactly the known positive and gains nothing", () => {
    expect(r.alertsRemoved).toEqual([
      {
        merchantId: "acq-nl:M-100003",
        label: "positive",
        detail: "positive",
        note: "direct-marketing merchant with about 3% disputes and fraud reports over two months, 80% with fraud reason codes",
        // why: the early warning no longer holds on it in B
        a: { live: ["early-warning-disputes", "fraud-reason-cluster", "high-risk-mcc"], shadow: [] },
        b: { live: ["fraud-reason-cluster", "high-risk-mcc"], shadow: [] },
      },
    ]);
    expect(r.alertsAdded).toEqual([]);
    expect(r.overall.b).toEqual({ alerted: 11, truePositives: 11, falsePositives: 0, falseNegatives: 1, alertedBefore: 0, unlabelled: 0, precision: 1, recall: 11 / 12, f1: 22 / 23 });
    expect(r.overall.a.recall).toBe(1);
  });

  it("counts per-rule hits in A and B and attributes the lost alert to the rules that hit it", () => {
    expect(hitsOf(r)).toEqual({
      "card-testing": [1, 1],
      "cloaked-content": [1, 1],
      "cross-border": [1, 1],
      "descriptor-churn": [1, 1],
      "descriptor-keywords": [1, 1],
      "early-warning-disputes": [2, 1],
      "flagged-site-link": [3, 3],
      "fraud-reason-cluster": [4, 4],
      "high-risk-mcc": [8, 8],
      "listed-identifier": [2, 2],
      "mastercard-ecp": [0, 0],
      "shared-infrastructure": [1, 1],
      "subscription-pattern": [2, 2],
      "undisclosed-referrers": [2, 2],
      "visa-vamp": [0, 0],
    });
    const ew = r.rules.find((x) => x.rule === "early-warning-disputes")!;
    expect(ew).toMatchObject({ change: "changed", alertsAdded: 0, alertsRemoved: 1, affected: 1 });
    expect(ew.a!.version).not.toBe(ew.b!.version);
    // still hits the merchant, but no longer gets it alerted
    expect(r.rules.find((x) => x.rule === "fraud-reason-cluster")).toMatchObject({ change: "same", alertsRemoved: 1, affected: 0 });
    expect(r.rules.filter((x) => x.change !== "same").map((x) => x.rule)).toEqual(["early-warning-disputes"]);
    expect(r.rules.find((x) => x.rule === "subscription-pattern")!.a!.precision).toBe(0.5);
  });

  it("shows the typology's recall drop", () => {
    expect(r.typologies.find((t) => t.typology === "excessive-disputes")).toEqual({
      typology: "excessive-disputes",
      a: { named: true, hits: 2, shadowHits: 0, alerted: 2, precision: 1, recall: 1, alertedBefore: 0 },
      b: { named: true, hits: 1, shadowHits: 0, alerted: 1, precision: 1, recall: 0, alertedBefore: 0 },
      alertsAdded: 0,
      alertsRemoved: 1,
      affected: 1,
    });
  });

  it("prints the figures and the lost merchant with its label", () => {
    const text = backtestTables(r);
    expect(text).toMatch(/recall\s*│ 100%\s*│ 91\.7%\s*│ -8\.3 pts/);
    expect(text).toMatch(/alerted only in A\s*│ acq-nl:M-100003\s*│ positive/);
  });
});

describe("backtest: a candidate that raises a weight", () => {
  // fraud-reason-cluster at 30 points instead of 20: no merchant gains or loses an alert, but two alerted in both are
  // alerted otherwise, one of them at high severity where it was medium (a high case calls the bank's webhook)
  let r: BacktestResult;
  beforeAll(async () => {
    const dir = rulesWith({ "chargebacks.yaml": (t) => t.replace("weight: 20\n    typology: unrecognised-charges", "weight: 30\n    typology: unrecognised-charges") });
    r = await run({ candidate: candidate(dir) });
  });

  it("lists the merchants alerted in both whose alerts differ, each alert with its severity and score in A and B", () => {
    expect([r.alertsAdded, r.alertsRemoved]).toEqual([[], []]);
    const rules = ["descriptor-churn", "fraud-reason-cluster", "high-risk-mcc"];
    expect(r.alertsChanged).toEqual([
      {
        merchantId: "acq-fr:M-300002",
        label: "positive",
        detail: "positive",
        alerts: [{ at: "2026-04-14T01:21:55Z", a: { severity: "medium", score: 63, rules }, b: { severity: "high", score: 75, rules } }],
      },
      {
        merchantId: "acq-nl:M-100003",
        label: "positive",
        detail: "positive",
        alerts: [{ at: "2026-04-02T07:25:35Z", a: { severity: "high", score: 75, rules: ["early-warning-disputes", ...rules.slice(1)] }, b: { severity: "high", score: 88, rules: ["early-warning-disputes", ...rules.slice(1)] } }],
      },
    ]);
    expect(BacktestResult.parse(r)).toEqual(r);
  });

  it("prints them in the terminal tables and the HTML", () => {
    expect(backtestTables(r)).toMatch(/acq-fr:M-300002\s*│ positive\s*│ 2026-04-14T01:21:55Z\s*│ medium 63\s*│ high 75/);
    expect(backtestHtml(r)).toContain("<td>acq-nl:M-100003</td><td>positive</td><td>2026-04-02T07:25:35Z</td><td>high 75</td><td>high 88</td>");
  });

  it("names an alert raised in one set only, with its rules", async () => {
    // the early warning at 3.5% instead of 1%: acq-fr:M-300002 stays alerted, its critical alert 8 days later
    const dir = rulesWith({ "chargebacks.yaml": (t) => t.replace(EARLY_WARNING, EARLY_WARNING.replace("0.01", "0.035")) });
    const later = await run({ candidate: candidate(dir) });
    const rules = ["descriptor-churn", "early-warning-disputes", "fraud-reason-cluster", "high-risk-mcc"];
    expect(later.alertsChanged).toEqual([
      {
        merchantId: "acq-fr:M-300002",
        label: "positive",
        detail: "positive",
        alerts: [
          { at: "2026-04-22T08:18:23Z", a: { severity: "critical", score: 100, rules }, b: null },
          { at: "2026-04-30T04:59:59Z", a: null, b: { severity: "critical", score: 100, rules } },
        ],
      },
    ]);
    expect(backtestTables(later)).toMatch(/2026-04-30T04:59:59Z\s*│ no alert\s*│ critical 100\s*│ descriptor-churn, early-warning-disputes, fraud-reason-cluster, high-risk-mcc/);
  });

  it("is empty when the sets alert alike", async () => {
    expect((await run({ candidate: baseline })).alertsChanged).toEqual([]);
  });
});

describe("backtest: a disabled rule", () => {
  it("is a rule only in A, and its positive is lost", async () => {
    const dir = rulesWith({ "sales.yaml": (t) => t.replace("weight: 60\n    typology: card-testing", "enabled: false\n    weight: 60\n    typology: card-testing") });
    const r = await run({ candidate: candidate(dir) });
    expect(r.rules.find((x) => x.rule === "card-testing")).toMatchObject({ change: "only-a", a: { mode: "live", hits: 1 }, b: null, alertsRemoved: 1, affected: 1 });
    expect(r.alertsRemoved.map((m) => m.merchantId)).toEqual(["acq-fr:M-300004"]);
    expect(r.overall.b.recall).toBe(11 / 12);
  });
});

describe("backtest: shadow rules", () => {
  const wide = (mode: "live" | "shadow") => wideEarlyWarning("early-warning-wide", mode);

  it("a shadow rule's hits are reported in their own column and never add an alert", async () => {
    const r = await run({ candidate: candidate(rulesWith({ "chargebacks.yaml": (t) => t + wide("shadow") })) });
    expect(r.rules.find((x) => x.rule === "early-warning-wide")).toMatchObject({ change: "only-b", a: null, b: { mode: "shadow", hits: 9, precision: 2 / 9 }, alertsAdded: 0 });
    expect([r.alertsAdded, r.alertsRemoved]).toEqual([[], []]);
    expect(r.overall.b).toEqual(r.overall.a);
    expect(r.typologies.find((t) => t.typology === "excessive-disputes")!.b).toMatchObject({ hits: 2, shadowHits: 9 });
    expect(backtestTables(r)).toMatch(/early-warning-wide\s*│ excessive-disputes\s*│ only in B\s*│ –\s*│\s*│ –\s*│ 9 /);
  });

  it("a sweep of a shadow rule gives the precision of its hits at each value, and says the alerts' figures are not its own", async () => {
    const dir = rulesWith({ "chargebacks.yaml": (t) => t + wide("shadow") });
    const sweep = sweepRuleSets(dir, parseSweep("early-warning-wide.params.levels[0].ratio=0.003:0.103:0.05"));
    const r = await run({ candidate: candidate(dir), sweep });
    expect(r.sweep!.mode).toBe("shadow");
    const points = r.sweep!.points;
    // a higher ratio keeps the negatives with one chargeback over few sales and loses the two positives: the rule's
    // precision falls to 0, while the alerts (the live rules') stay at 100%
    expect(points.map((p) => [p.value, p.hits, p.hitPrecision])).toEqual([
      [0.003, 9, 2 / 9],
      [0.053, 3, 0],
      [0.103, 1, 0],
    ]);
    for (const p of points) expect(p).toMatchObject({ alerted: 12, precision: 1, recall: 1, alertsAdded: 0, alertsRemoved: 0 });
    const text = backtestTables(r);
    expect(text).toMatch(/the rule is shadow there, so only its hits and their precision change/);
    expect(text).toMatch(/0\.003 \*\s*│ 9\s*│ 22\.2%\s*│ 12 /);
    expect(backtestHtml(r)).toContain("The rule is shadow there, so only its hits and their precision change");
  });

  it("the same rule live alerts the negatives it hits", async () => {
    const r = await run({ candidate: candidate(rulesWith({ "chargebacks.yaml": (t) => t + wide("live") })) });
    expect(r.alertsAdded.map((m) => `${m.merchantId} ${m.detail}`)).toEqual([
      "acq-de:M-200005 hard-negative",
      "acq-de:M-200019 benign",
      "acq-fr:M-300005 hard-negative",
      "acq-nl:M-100004 hard-negative",
      "acq-nl:M-100005 hard-negative",
      "acq-nl:M-100016 benign",
      "acq-nl:M-100023 benign",
    ]);
    expect(r.overall.b).toMatchObject({ alerted: 19, falsePositives: 7, precision: 12 / 19, recall: 1 });
  });
});

describe("backtest: events window and bad lines", () => {
  it("counts bad lines and goes on; the alerts are those of the clean file", async () => {
    const lines = [...sampleLines.slice(0, 50), "not json", ...sampleLines.slice(50, 4000), '{"type":"refund","eventId":"x"}', ...sampleLines.slice(4000)];
    const r = await backtest({ events: { name: "mixed", batches: linesOf(lines) }, baseline, candidate: baseline, indicators, truth });
    expect(r.events).toMatchObject({
      lines: lines.length,
      processed: sampleLines.length,
      rejected: { total: 2, "not-json": 1, schema: 1, "too-large": 0, first: [{ line: 51, kind: "not-json" }, { line: 4002, kind: "schema" }] },
    });
    expect(backtestTables(r)).toContain("2 bad lines skipped (line 51: not-json, line 4002: schema; `moneytrail replay` on the file writes each with its reason)");
    expect(r.overall.a).toMatchObject({ alerted: 12, recall: 1 });
  });

  it("takes line numbers and RFC 3339 times as bounds", async () => {
    const april = sampleLines.filter((l) => (JSON.parse(l) as { occurredAt: string }).occurredAt >= "2026-04-01T00:00:00Z").length;
    const byTime = await run({ candidate: baseline, from: parseBound("--from", "2026-04-01T00:00:00Z") });
    expect(byTime.events).toMatchObject({ lines: sampleLines.length, processed: april, outsideWindow: sampleLines.length - april });
    // without March the merchants' profiles are missing and the monthly windows are half empty: fewer alerts
    expect(byTime.overall.a.alerted).toBeLessThan(12);

    const byLine = await run({ candidate: baseline, from: parseBound("--from", "101"), to: parseBound("--to", "300") });
    expect(byLine.events).toMatchObject({ lines: 200, processed: 200, outsideWindow: 0 });
    expect(parseBound("--to", "2026-04-30T23:59:59+02:00")).toEqual({ time: "2026-04-30T23:59:59+02:00" });
    expect(() => parseBound("--from", "yesterday")).toThrow(/--from yesterday: give an RFC 3339 time .* or a line number/);
  });

  it("refuses a window that ends before it starts, saying which way round; a line and a time are not compared", () => {
    expect(() => checkWindow("5000", "100")).toThrow(new BacktestError("--from 5000 is after --to 100: give the window's start as --from and its end as --to (--from 100 --to 5000)"));
    expect(() => checkWindow("2026-04-02T00:00:00Z", "2026-04-01T23:00:00+02:00")).toThrow(BacktestError);
    // times compared as times, not as text
    for (const [from, to] of [["100", "100"], ["2026-04-02T00:30:00+02:00", "2026-04-01T23:00:00Z"], ["5000", "2026-04-01T00:00:00Z"], [undefined, "1"], ["9", undefined]])
      expect(() => checkWindow(from, to)).not.toThrow();
  });
});

describe("backtest: sweep", () => {
  const spec = "early-warning-disputes.params.levels[0].ratio=0.005:0.05:0.005";

  it("parses RULE_ID.PATH=FROM:TO:STEP and lists the values with the current one", () => {
    expect(parseSweep(spec)).toEqual({ rule: "early-warning-disputes", path: ["params", "levels", 0, "ratio"], from: 0.005, to: 0.05, step: 0.005 });
    const s = parseSweep("x.params.threshold=0.1:0.3:0.1");
    expect(sweepValues(s, 0.25)).toEqual([0.1, 0.2, 0.25, 0.3]);
    expect(sweepValues(s, 0.2)).toEqual([0.1, 0.2, 0.3]);
    expect(sweepValues(parseSweep("x.weight=10:40:15"), 60)).toEqual([10, 25, 40, 60]);
  });

  it("reruns the candidate at each value: monotone alert counts, the current value's figures equal B's", async () => {
    const sweep = sweepRuleSets(DEFAULT_RULES, parseSweep(spec));
    expect(sweep.current).toBe(0.01);
    const r = await run({ candidate: baseline, sweep });
    const points = r.sweep!.points;
    expect(points.map((p) => p.value)).toEqual([0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05]);
    expect(points.filter((p) => p.current).map((p) => p.value)).toEqual([0.01]);
    expect(points.map((p) => p.alerted)).toEqual([12, 12, 12, 12, 12, 12, 11, 11, 11, 11]);
    expect(points.map((p) => p.hits)).toEqual([2, 2, 2, 2, 2, 2, 1, 1, 0, 0]);
    for (let i = 1; i < points.length; i++) expect(points[i]!.alerted).toBeLessThanOrEqual(points[i - 1]!.alerted);
    const { value: _v, current: _c, hits: _h, hitPrecision: _p, alertsAdded: _a, alertsRemoved: _r, firstAlerts: _f, ...atCurrent } = points[1]!;
    expect(atCurrent).toEqual(r.overall.b);
    expect(points[6]).toMatchObject({ alertsRemoved: 1, recall: 11 / 12, precision: 1 });
    expect(backtestTables(r)).toMatch(/0\.01 \*\s*│ 2\s*│ 100%\s*│ 12 /);
  });

  it("patches the parsed YAML, so the candidate's other rules and comments stay as they were", () => {
    const sweep = sweepRuleSets(DEFAULT_RULES, parseSweep("card-testing.params.minCount=10:20:5"));
    expect(sweep.points.map((p) => p.value)).toEqual([10, 15, 20]);
    const current = sweep.points.find((p) => p.value === 15)!.ruleSet;
    expect(current.version).toBe(baseline.ruleSet.version);
    expect(sweep.points.find((p) => p.value === 10)!.ruleSet.rules.find((x) => x.id === "card-testing")!.params).toMatchObject({ minCount: 10, maxMinor: 200 });
  });

  it("refuses a path the rule does not have, or that does not hold a number, naming the rule and the path", () => {
    const refused = (s: string) => () => sweepRuleSets(DEFAULT_RULES, parseSweep(s));
    expect(refused("early-warning-disputes.params.levels[0].threshold=0.005:0.03:0.005")).toThrow(
      'rule "early-warning-disputes" has no params.levels[0].threshold (params.levels[0] has keys name, ratio, minCount)',
    );
    expect(refused("early-warning-disputes.params.levels[2].ratio=0.005:0.03:0.005")).toThrow(/has no params\.levels\[2\]\.ratio \(params\.levels has a list of 1\)/);
    expect(refused("early-warning-disputes.params.levels[0].name=1:2:1")).toThrow('rule "early-warning-disputes" params.levels[0].name is string "early warning", not a number');
    expect(refused("early-warning-disputes.params.levels=1:2:1")).toThrow(/params\.levels is a list, not a number/);
    expect(refused("card-testing.weight.points=1:2:1")).toThrow('rule "card-testing" has no weight.points (weight is number 60)');
    expect(refused("no-such-rule.weight=1:2:1")).toThrow(/has no rule "no-such-rule" \(it has visa-vamp, mastercard-ecp, /);
    expect(refused("early-warning-disputes.params.levels[0].ratio=0.1:0.3:0")).toThrow(BacktestError);
    expect(() => parseSweep("early-warning-disputes=1:2:1")).toThrow(/expected RULE_ID\.PATH=FROM:TO:STEP/);
    expect(() => parseSweep("card-testing.weight=5:1:1")).toThrow(/FROM 5 is above TO 1: give the lower value first/);
    expect(() => parseSweep("card-testing.weight=0:1000:1")).toThrow(/more than 200 values/);
  });

  it("validates every value through the loader and names the candidate's file", () => {
    try {
      sweepRuleSets(DEFAULT_RULES, parseSweep("early-warning-disputes.params.levels[0].ratio=0.5:1.5:0.5"));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).file).toBe(join(DEFAULT_RULES, "chargebacks.yaml"));
      expect((err as Error).message).toMatch(/rules\[2\]\.params\.levels\[0\]\.ratio: with --sweep early-warning-disputes\.params\.levels\[0\]\.ratio=1\.5: /);
    }
  });

  it("refuses a disabled rule", () => {
    const dir = rulesWith({ "sales.yaml": (t) => t.replace("weight: 60\n    typology: card-testing", "enabled: false\n    weight: 60\n    typology: card-testing") });
    expect(() => sweepRuleSets(dir, parseSweep("card-testing.weight=10:20:10"))).toThrow('rule "card-testing" is disabled in the candidate set');
  });
});

describe("backtest: reports", () => {
  let r: BacktestResult;
  beforeAll(async () => {
    const dir = rulesWith({ "chargebacks.yaml": (t) => t.replace(EARLY_WARNING, EARLY_WARNING.replace("0.01", "0.035")) });
    r = await run({ candidate: candidate(dir), sweep: sweepRuleSets(dir, parseSweep("subscription-pattern.weight=15:60:15")) });
  });

  it("the JSON validates against its schema, and the schema refuses a broken one", () => {
    const json = JSON.parse(JSON.stringify(r)) as unknown;
    expect(BacktestResult.parse(json)).toEqual(r);
    expect(BacktestResult.safeParse({ ...r, overall: { ...r.overall, a: { ...r.overall.a, precision: 1.5 } } }).success).toBe(false);
    expect(BacktestResult.safeParse({ ...r, rules: [{ ...r.rules[0], extra: 1 }] }).success).toBe(false);
  });

  it("a weight sweep that lets a hard negative through bends the precision/recall curve", () => {
    // the subscription service in MCC 5967 (hard negative) scores weight x 1.25: 56 at 45, 75 at 60 (alerted at 60)
    expect(r.sweep!.points.map((p) => [p.value, p.alerted, p.precision])).toEqual([
      [15, 11, 1],
      [30, 11, 1],
      [45, 11, 1],
      [60, 12, 11 / 12],
    ]);
    expect(r.sweep!.points.map((p) => p.alertsAdded)).toEqual([0, 0, 0, 1]);
  });

  it("the HTML is self-contained, has the charts, and carries no URL from the events", () => {
    const html = backtestHtml(r);
    expect(html).toMatch(/^<!doctype html>/);
    // rule hits, alerts over event time, the timeline of the alerts that differ, the sweep's precision/recall
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('aria-labelledby="alerts-over-time-title alerts-over-time-desc"');
    expect(html).toContain('aria-labelledby="differing-alerts-title differing-alerts-desc"');
    expect(html).toContain('aria-label="precision against recall over the sweep"');
    expect(html).toContain("<polyline");
    expect(html).toContain("acq-nl:M-100003");
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(/i);
    const urls = [...new Set([...readFileSync(EVENTS, "utf8").matchAll(/"(https?:\/\/[^"]+)"/g)].map((m) => m[1]!))];
    expect(urls.length).toBeGreaterThan(50);
    for (const text of [html, JSON.stringify(r), backtestTables(r)]) {
      expect(text).not.toMatch(/https?:\/\//);
      for (const u of urls) expect(text).not.toContain(u.replace(/^https?:\/\//, ""));
    }
  });
});

describe("backtest: labels", () => {
  it("reads fixture labels: positive is positive, benign and hard-negative are negative", () => {
    expect(truth.merchants["acq-fr:M-300004"]).toEqual({ label: "positive", typologies: ["card-testing"], detail: "positive", note: "game shop hit by a burst of 30 sales of at most 1 EUR on 30 distinct new cards within 25 minutes" });
    expect(truth.merchants["acq-nl:M-100004"]).toMatchObject({ label: "negative", detail: "hard-negative" });
    expect(Object.values(truth.merchants).filter((m) => m.label === "negative" && m.detail === "benign")).toHaveLength(60);
  });

  it("without labels, precision and recall are left empty, not zero", async () => {
    const r = await backtest({ events: { name: EVENTS, batches: readLineBatches(EVENTS) }, baseline, candidate: baseline, indicators });
    expect(r.labels).toBeNull();
    expect(r.overall.a).toMatchObject({ alerted: 12, unlabelled: 12, precision: null, recall: null, f1: null });
    expect(r.rules.every((x) => x.a?.precision === null)).toBe(true);
  });

  it("refuses a file that is not a labels file, naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-backtest-labels-"));
    writeFileSync(join(dir, "labels.json"), JSON.stringify({ merchants: { m: { label: "maybe", typologies: [], note: "" } } }));
    expect(() => labelsFromFile(join(dir, "labels.json"))).toThrow(/labels\.json: merchants\.m\.label: Invalid option/);
    appendFileSync(join(dir, "labels.json"), "}");
    expect(() => labelsFromFile(join(dir, "labels.json"))).toThrow(ConfigError);
  });
});
