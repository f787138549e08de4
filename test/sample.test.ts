// The committed labelled sample through the default pack: every typology caught, no hard negative alerted.
import { describe, it, expect, beforeAll } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay, type ReplaySummary } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { Alert } from "../src/decode/events.js";

interface Label {
  label: "positive" | "benign" | "hard-negative";
  typologies: string[];
  note: string;
}
const labels = (JSON.parse(readFileSync(join(SAMPLE_DIR, "labels.json"), "utf8")) as { merchants: Record<string, Label> }).merchants;
const byLabel = (l: Label["label"]) => Object.entries(labels).filter(([, v]) => v.label === l);

let run: ReplaySummary;
let alerts: Alert[];
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-sample-"));
  run = await replay({
    events: join(SAMPLE_DIR, "events.ndjson"),
    out: join(dir, "alerts.ndjson"),
    rejects: join(dir, "rejects.ndjson"),
    ruleSet: loadRuleSet(DEFAULT_RULES),
    indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
    progress: false,
  });
  alerts = readFileSync(join(dir, "alerts.ndjson"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => Alert.parse(JSON.parse(l)));
});

describe("labelled sample", () => {
  it("has no rejected lines", () => {
    expect(run.rejected).toBe(0);
    expect(run.events).toBe(run.lines);
  });

  it.each(byLabel("positive"))("catches %s", (merchantId, label) => {
    const latest = run.latest.get(merchantId);
    expect(latest, `${merchantId} (${label.note}) was not alerted`).toBeDefined();
    const seen = new Set(alerts.filter((a) => a.merchantId === merchantId).flatMap((a) => a.typologies));
    for (const t of label.typologies) expect([...seen], `${merchantId}: ${label.note}`).toContain(t);
  });

  it.each(byLabel("hard-negative"))("does not alert hard negative %s", (merchantId, label) => {
    expect(run.latest.get(merchantId), `${merchantId} (${label.note}) was alerted`).toBeUndefined();
  });

  it("alerts no benign merchant", () => {
    const benign = byLabel("benign").map(([id]) => id);
    expect(benign.length).toBeGreaterThan(20);
    expect(benign.filter((id) => run.latest.has(id))).toEqual([]);
  });

  it("explains every alert: signals with value, threshold, explanation and evidence, and the rule-set version", () => {
    const rs = loadRuleSet(DEFAULT_RULES);
    for (const a of alerts) {
      expect(a.ruleSet).toEqual({ id: rs.id, version: rs.version });
      expect(a.signals.length).toBeGreaterThan(0);
      for (const s of a.signals) {
        expect(s.explanation).toMatch(/\w+/);
        expect(s.evidence.eventIds.length).toBeGreaterThan(0);
      }
    }
    const linked = alerts.find((a) => a.typologies.includes("linked-to-flagged"));
    const ind = linked?.signals.find((s) => s.rule === "flagged-site-link")?.evidence.indicators?.[0];
    expect(ind).toMatchObject({ set: "coalition-sample-2026-03", source: "member:hotline-sample" });
  });
});
