// Alerts gained or lost are put down to the live rules that hit the merchant: a shadow rule never scores, so none
// of them is its doing, even where it hit the same merchants.
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backtest, labelsFromFile } from "../src/app/backtest.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { wideEarlyWarning } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");

function rulesWith(extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-backtest-shadow-"));
  cpSync(DEFAULT_RULES, dir, { recursive: true });
  const file = join(dir, "chargebacks.yaml");
  writeFileSync(file, readFileSync(file, "utf8") + extra);
  return dir;
}

const run = (a: string, b: string) =>
  backtest({
    events: { name: EVENTS, batches: readLineBatches(EVENTS) },
    baseline: { name: "a", ruleSet: loadRuleSet(a) },
    candidate: { name: "b", ruleSet: loadRuleSet(b) },
    indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
    truth: labelsFromFile(join(SAMPLE_DIR, "labels.json")),
  });

describe("backtest: +/− alerts of shadow rules", () => {
  it("a shadow rule that hits the merchants a live one alerts gains none of those alerts", async () => {
    const r = await run(DEFAULT_RULES, rulesWith(wideEarlyWarning("wide-shadow", "shadow") + wideEarlyWarning("wide-live", "live")));
    expect(r.alertsAdded).toHaveLength(7);
    const row = (id: string) => r.rules.find((x) => x.rule === id)!;
    expect(row("wide-live")).toMatchObject({ b: { mode: "live", hits: 9 }, alertsAdded: 7 });
    expect(row("wide-shadow")).toMatchObject({ b: { mode: "shadow", hits: 9 }, alertsAdded: 0, affected: 9 });
  });

  it("a rule put in shadow loses the alerts it made; kept in shadow in A, it loses none", async () => {
    const shadowed = rulesWith(wideEarlyWarning("wide", "shadow"));
    const lived = rulesWith(wideEarlyWarning("wide", "live"));
    const off = await run(lived, shadowed);
    expect(off.alertsRemoved).toHaveLength(7);
    expect(off.rules.find((x) => x.rule === "wide")).toMatchObject({ change: "changed", alertsRemoved: 7, alertsAdded: 0 });
    const on = await run(shadowed, lived);
    expect(on.rules.find((x) => x.rule === "wide")).toMatchObject({ change: "changed", alertsAdded: 7, alertsRemoved: 0 });
  });

  it("a rule in shadow in A, with another change removing alerts, is not blamed for them", async () => {
    const withLive = rulesWith(wideEarlyWarning("wide-shadow", "shadow") + wideEarlyWarning("wide-live", "live"));
    const r = await run(withLive, rulesWith(wideEarlyWarning("wide-shadow", "shadow")));
    expect(r.alertsRemoved).toHaveLength(7);
    expect(r.rules.find((x) => x.rule === "wide-shadow")).toMatchObject({ change: "same", alertsRemoved: 0 });
    expect(r.rules.find((x) => x.rule === "wide-live")).toMatchObject({ change: "only-a", alertsRemoved: 7 });
  });
});
