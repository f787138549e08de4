// The streamed population's labels (generatePopulation's `labels` option), as a rule tuner scores the default pack
// on a population larger than the committed sample: a merchant labelled benign must not be built with a
// typology's pattern, and the pack must find the typology merchants without alerting benign ones.
import { describe, it, expect, beforeAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePopulation, populationIndicators, POPULATION_TYPOLOGIES, type Labels, type PopulationOptions } from "../src/fixtures/generate.js";
import { replay, type ReplaySummary } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { Alert } from "../src/decode/events.js";

// few merchants for many events: the busiest ones get many profile updates, where ordinary renames pile up
const opts: PopulationOptions = { seed: 4, merchants: 2_000, events: 50_000 };

let labels: Labels["merchants"];
let lines: string[];
let run: ReplaySummary;
let alerts: Alert[];
beforeAll(async () => {
  labels = {};
  lines = [...generatePopulation({ ...opts, labels })].map((e) => JSON.stringify(e));
  const dir = mkdtempSync(join(tmpdir(), "mt-population-"));
  try {
    writeFileSync(join(dir, "events.ndjson"), `${lines.join("\n")}\n`);
    const indicators = new IndicatorIndex();
    indicators.add(populationIndicators(opts.seed));
    const o = { events: join(dir, "events.ndjson"), out: join(dir, "alerts.ndjson"), rejects: join(dir, "rejects.ndjson") };
    run = await replay({ ...o, ruleSet: loadRuleSet(DEFAULT_RULES), indicators, progress: false, trackHits: true });
    alerts = readFileSync(o.out, "utf8").split("\n").filter(Boolean).map((l) => Alert.parse(JSON.parse(l)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

const labelled = (l: string) => Object.keys(labels).filter((m) => labels[m]!.label === l);

describe("generatePopulation labels", () => {
  it("labels every merchant it boards, a typology merchant with its typology, without changing the stream", () => {
    const merchants = new Set(lines.map((l) => (JSON.parse(l) as { merchantId: string }).merchantId));
    expect(new Set(Object.keys(labels))).toEqual(merchants);
    for (const m of labelled("positive")) expect(POPULATION_TYPOLOGIES).toContain(labels[m]!.typologies[0]);
    expect(labelled("positive").length).toBeGreaterThan(10);
    const unlabelled = [...generatePopulation(opts)].map((e) => JSON.stringify(e));
    expect(unlabelled.join("\n") === lines.join("\n"), "the labels option changed the events").toBe(true);
  });

  it("labels a merchant shared-infrastructure only when it shares an analytics ID with a linked-to-flagged one", () => {
    const byAnalytics = new Map<string, Set<string>>();
    const own = new Map<string, string[]>();
    for (const l of lines) {
      const e = JSON.parse(l) as { type: string; merchantId: string; infrastructure?: { analyticsIds: string[] } };
      if (e.type !== "merchant") continue;
      own.set(e.merchantId, e.infrastructure!.analyticsIds);
      for (const a of e.infrastructure!.analyticsIds) byAnalytics.set(a, (byAnalytics.get(a) ?? new Set()).add(e.merchantId));
    }
    const typology = (m: string) => labels[m]!.typologies[0];
    const sharing = labelled("positive").filter((m) => typology(m) === "shared-infrastructure");
    expect(sharing.length).toBeGreaterThan(0);
    const alone = sharing.filter((m) => !own.get(m)!.some((a) => [...byAnalytics.get(a)!].some((p) => typology(p) === "linked-to-flagged")));
    expect(alone, "labelled shared-infrastructure, but boarded before any linked-to-flagged merchant: it shares nothing").toEqual([]);
  });

  it("builds no benign merchant with the brand-churn pattern (three descriptors within 30 days)", () => {
    const churned = new Set(run.hits.filter((h) => h.rule === "descriptor-churn").map((h) => h.merchantId));
    const benignChurn = labelled("benign").filter((m) => churned.has(m));
    expect(benignChurn, "ordinary renames of busy benign merchants made the churn the brand-churn typology stands for").toEqual([]);
    // the typology's own merchants still churn
    expect(labelled("positive").filter((m) => labels[m]!.typologies[0] === "brand-churn" && churned.has(m)).length).toBeGreaterThan(0);
  });

  it("the default pack alerts no benign merchant and catches most typology merchants", () => {
    const alerted = new Set(alerts.map((a) => a.merchantId));
    expect(labelled("benign").filter((m) => alerted.has(m))).toEqual([]);
    const positives = labelled("positive");
    const caught = positives.filter((m) => alerts.some((a) => a.merchantId === m && a.typologies.includes(labels[m]!.typologies[0]!)));
    expect(caught.length / positives.length).toBeGreaterThan(0.9);
  });
}, 60_000);
