// The quality run (npm run quality) in small: a population with near-the-line benign merchants written as files,
// scored by the backtest against its labels file, read by kind. It guards the default pack against crying wolf on
// honest merchants near its lines, and holds what the scoring at scale found (README: Detection quality): a kind
// built just short of every line is never alerted, nor a cross-border seller whose signals are all context
// (ruleset.yaml's contextRules); a bad month over early-warning-disputes' 1% with 8 disputes is.
import { describe, it, expect, beforeAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backtest, labelsFromFile, type BacktestResult } from "../src/app/backtest.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { nearLineReport, writePopulation } from "../src/fixtures/write-sample.js";
import { NEAR_LINE_KINDS, type Labels } from "../src/fixtures/generate.js";

let result: BacktestResult;
let labels: Labels["merchants"];
let report: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-near-line-"));
  try {
    writePopulation(dir, { seed: 5, merchants: 3_000, events: 30_000, nearLineShare: 0.08 });
    const events = join(dir, "events.ndjson");
    const truth = labelsFromFile(join(dir, "labels.json"));
    labels = (JSON.parse(readFileSync(join(dir, "labels.json"), "utf8")) as Labels).merchants;
    // the baseline is the pack's settings without a rule: every alert is the candidate's, listed with its rules
    result = await backtest({
      events: { name: events, batches: readLineBatches(events) },
      baseline: { name: "rules/ruleset.yaml", ruleSet: loadRuleSet(join(DEFAULT_RULES, "ruleset.yaml")) },
      candidate: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
      indicators: loadIndicators(join(dir, "indicators")),
      truth,
    });
    report = nearLineReport(result, labels);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

/** the report's row of a kind: [count, alerted, rules] */
const row = (kind: string): [number, number, string] => {
  const cells = new RegExp(`^\\| ${kind} \\| (\\d+) \\| (\\d+) \\| (.*) \\|$`, "m").exec(report);
  if (!cells) throw new Error(`no row for ${kind} in:\n${report}`);
  return [Number(cells[1]), Number(cells[2]), cells[3]!];
};

describe("the quality run: the default pack on near-the-line benign merchants", () => {
  it("reads the written labels as the backtest does, and names every kind in the report", () => {
    expect(result.labels).toMatchObject({ unknown: 0 });
    for (const kind of Object.keys(NEAR_LINE_KINDS)) expect(row(kind)[0], kind).toBe(30);
    expect(row("ordinary benign")[1]).toBe(0);
  });

  it("alerts no merchant of a kind built just short of every line", () => {
    for (const kind of ["high-risk-subscription", "disputes-under-early-warning", "affiliates", "rebrand", "shared-host", "test-charges"])
      expect(row(kind).slice(1), kind).toEqual([0, "–"]);
  });

  it("alerts no cross-border seller on context signals alone (cross-border, fraud-coded disputes, subscriptions)", () => {
    const [count, alerted, rules] = row("cross-border");
    expect(count).toBe(30);
    expect([alerted, rules]).toEqual([0, "–"]);
  });

  it("alerts every bad month over early-warning-disputes' ratio, as an early warning is meant to", () => {
    const [count, alerted, rules] = row("bad-month");
    expect(alerted).toBe(count);
    expect(rules).toContain(`early-warning-disputes ${count}`);
  });

  it("finds the typology merchants as before", () => {
    expect(result.overall.b.recall).toBeGreaterThan(0.85);
  });
}, 120_000);
