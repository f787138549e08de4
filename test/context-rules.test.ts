// scoring.contextRules (rules/ruleset.yaml): signals that describe a kind of business (cross-border, fraud-coded
// disputes, subscriptions) add to other evidence but do not add up among themselves: alone, the strongest counts.
// Honest high-risk subscriptions selling abroad held all three and scored (15+20+15) x 1.25 = 63, over the alert
// line (docs/performance.md, Detection quality).
import { describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { ConfigError } from "../src/lib/errors.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { assess } from "../src/scoring/score.js";
import { buildAlert } from "../src/scoring/alert.js";
import { newMerchant, type ActiveSignal, type MerchantState } from "../src/state/merchant.js";
import { backtestTables } from "../src/app/backtest-report.js";
import { backtest } from "../src/app/backtest.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { M1 } from "./helpers/events.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";

const copies = defaultRulesCopies("context");
/** A copy of the default pack with its ruleset.yaml's text changed by `edit`. */
const packWith = (edit: (text: string) => string): string => copies({ "ruleset.yaml": edit });
const withoutContextRules = (text: string): string => text.replace(/\n    contextRules: .*\n/, "\n");
const loadError = (path: string): ConfigError => refusalOf(() => loadRuleSet(path));

const signal = (value: number, over: Partial<ActiveSignal> = {}): ActiveSignal => ({
  value,
  threshold: 0,
  strength: 1,
  critical: false,
  eventIds: ["e-1"],
  indicators: [],
  since: "2026-03-02T00:00:00Z",
  ...over,
});

/** A high-risk subscription seller abroad with mostly fraud-coded disputes: the three context signals and the factor. */
function crossBorderSeller(): MerchantState {
  const m = newMerchant(M1);
  m.signals["cross-border"] = signal(0.75);
  m.signals["fraud-reason-cluster"] = signal(0.67);
  m.signals["subscription-pattern"] = signal(0.85);
  m.signals["high-risk-mcc"] = signal(1.25);
  return m;
}

describe("scoring.contextRules in the default pack", () => {
  const pack = loadRuleSet(DEFAULT_RULES);

  it("names the three context rules", () => {
    expect(pack.settings.scoring.contextRules).toEqual(["cross-border", "fraud-reason-cluster", "subscription-pattern"]);
  });

  it("counts only the strongest of context signals alone: a merchant that alerted on their sum is under the line", () => {
    const without = loadRuleSet(packWith(withoutContextRules));
    expect(without.settings.scoring.contextRules).toBeUndefined();
    expect(assess(crossBorderSeller(), without)).toMatchObject({ score: 63, alert: true });
    // fraud-reason-cluster's 20, x 1.25
    expect(assess(crossBorderSeller(), pack)).toMatchObject({ score: 25, alert: false, severity: "low" });
  });

  it("leaves a context rule its own weight: one weighted to alert alone still does", () => {
    const heavy = loadRuleSet(copies({ "sales.yaml": (t) => t.replace("weight: 15\n    typology: subscription-pattern", "weight: 48\n    typology: subscription-pattern") }));
    const m = newMerchant(M1);
    m.signals["subscription-pattern"] = signal(0.85);
    m.signals["high-risk-mcc"] = signal(1.25);
    const a = assess(m, heavy);
    expect(a).toMatchObject({ score: 60, alert: true });
  });

  it("counts context in full beside a primary signal: undisclosed referrers plus cross-border in an ordinary category is 60", () => {
    const m = newMerchant(M1);
    m.signals["undisclosed-referrers"] = signal(0.4);
    m.signals["cross-border"] = signal(0.85);
    const a = assess(m, pack);
    expect(a).toMatchObject({ score: 60, alert: true });
    // the bad month: early warning (a primary signal) with the subscription shape on a high-risk category
    const bad = newMerchant(M1);
    bad.signals["early-warning-disputes"] = signal(0.015);
    bad.signals["subscription-pattern"] = signal(0.85);
    bad.signals["high-risk-mcc"] = signal(1.25);
    expect(assess(bad, pack)).toMatchObject({ score: 69, alert: true });
  });

  it("says in the alert which signals are context", () => {
    const m = crossBorderSeller();
    m.signals["undisclosed-referrers"] = signal(0.4);
    const alert = buildAlert(m, assess(m, pack), pack, "e-9", "2026-03-02T00:00:00Z");
    const said = Object.fromEntries(alert.signals.map((s) => [s.rule, s.explanation!]));
    for (const rule of ["cross-border", "fraud-reason-cluster", "subscription-pattern"])
      expect(said[rule], rule).toContain(") — context, not a finding: it adds to other evidence; context signals alone do not add up, only the strongest counts.");
    expect(said["undisclosed-referrers"]).not.toContain("Context");
  });
});

describe("scoring.contextRules refused", () => {
  it("with a rule id one or two letters off a rule of the set, naming it", () => {
    const typo = loadError(packWith((t) => t.replace("contextRules: [cross-border,", "contextRules: [cross-boarder,")));
    expect(typo.file).toMatch(/ruleset\.yaml$/);
    expect(typo.issues).toEqual([
      {
        path: "ruleset.scoring.contextRules[0]",
        message: 'names rule "cross-boarder", which no file defines (did you mean "cross-border"?): correct the id, put the rule back, or take its id out of the list',
        line: expect.any(Number),
        col: expect.any(Number),
      },
    ]);
  });

  it("with an id twice, or none", () => {
    const twice = loadError(packWith((t) => t.replace("contextRules: [cross-border,", "contextRules: [cross-border, cross-border,")));
    expect(twice.issues[0]).toMatchObject({ path: "ruleset.scoring.contextRules", message: 'names "cross-border" twice: remove the repeat' });
    expect(twice.issues[0]!.line).toBeGreaterThan(1);
    const empty = loadError(packWith((t) => t.replace(/contextRules: \[[^\]]*\]/, "contextRules: []")));
    expect(empty.issues[0]).toMatchObject({ path: "ruleset.scoring.contextRules", message: "name at least one rule, or take contextRules out" });
  });

  it("with a rule no file defines, but not for the settings file alone (a backtest's baseline): test/context-rules-dangling.test.ts", () => {
    expect(loadRuleSet(join(DEFAULT_RULES, "ruleset.yaml")).settings.scoring.contextRules).toHaveLength(3);
    const dir = copies();
    rmSync(join(dir, "sales.yaml"));
    expect(loadError(dir).issues.map((i) => i.path)).toEqual(["ruleset.scoring.contextRules[0]", "ruleset.scoring.contextRules[2]"]);
  });
});

describe("moneytrail backtest", () => {
  it("says what each side's context rules are, and lists them as a changed setting", async () => {
    const result = await backtest({
      events: { name: "none", batches: (async function* () {})() },
      baseline: { name: "without", ruleSet: loadRuleSet(packWith(withoutContextRules)) },
      candidate: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
      indicators: new IndicatorIndex(),
    });
    const text = backtestTables(result);
    expect(text).toMatch(/^A \(baseline\) {2}without: efc-default [0-9a-f]{12}$/m);
    expect(text).toMatch(/^B \(candidate\) rules: efc-default [0-9a-f]{12}; context rules \(cross-border, fraud-reason-cluster, subscription-pattern\) alone do not add up: only the strongest counts$/m);
    expect(text).toContain("Set-wide settings (ruleset:) changed: scoring.contextRules (none) → [cross-border, fraud-reason-cluster, subscription-pattern]");
  });
});


