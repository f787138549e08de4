// Labelled counters are exported at 0 for every value they are known to take, from the process's start. Prometheus's
// increase() and rate() need a sample before a series' first increment: a series that appears at 1 shows no increase,
// so the first poison message (or critical alert, refused indicator set, refused rule change) of a process drew
// nothing on the dashboard and fired no alert written as increase(...[10m]) > 0.
import { describe, it, expect } from "vitest";
import { createMetrics } from "../src/app/metrics.js";

describe("labelled counters from the start", () => {
  it("exports each known reason, severity, destination, type and result at 0 before anything happened", async () => {
    const text = await createMetrics().registry.metrics();
    for (const series of [
      'moneytrail_events_dead_lettered_total{reason="not-json"} 0',
      'moneytrail_events_dead_lettered_total{reason="schema"} 0',
      'moneytrail_events_dead_lettered_total{reason="too-large"} 0',
      'moneytrail_events_dead_lettered_total{reason="unreadable-batch"} 0',
      'moneytrail_alerts_raised_total{severity="critical"} 0',
      'moneytrail_alerts_raised_total{severity="low"} 0',
      'moneytrail_outbox_published_total{dest="dead-letter"} 0',
      'moneytrail_outbox_published_total{dest="alerts"} 0',
      'moneytrail_indicator_sets_refused_total{reason="untrusted"} 0',
      'moneytrail_indicator_sets_refused_total{reason="rollback"} 0',
      'moneytrail_rules_reloads_total{result="refused"} 0',
      'moneytrail_rules_reloads_total{result="accepted"} 0',
      'moneytrail_events_processed_total{type="chargeback"} 0',
      'moneytrail_events_processed_total{type="site_observation"} 0',
    ])
      expect(text).toContain(series);
  });

  it("counts on from 0: the first dead letter is an increase of 1", async () => {
    const metrics = createMetrics();
    const notJson = async () => (await metrics.deadLettered.get()).values.find((v) => v.labels.reason === "not-json")?.value;
    const before = await notJson();
    metrics.deadLettered.inc({ reason: "not-json" });
    expect([before, await notJson()]).toEqual([0, 1]);
  });
});
