// Counters of the consumer, on /metrics (Prometheus text format). consumed = processed + dead-lettered.
import client from "prom-client";

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const c = (name: string, help: string, labelNames: string[] = []) =>
    new client.Counter({ name: `moneytrail_${name}`, help, labelNames, registers: [registry] });
  return {
    registry,
    consumed: c("events_consumed_total", "messages read from the events topic"),
    processed: c("events_processed_total", "valid events run through the engine", ["type"]),
    deadLettered: c("events_dead_lettered_total", "messages sent to the dead-letter topic", ["reason"]),
    alerts: c("alerts_raised_total", "alerts raised", ["severity"]),
    published: c("outbox_published_total", "messages published from the outbox", ["dest"]),
    fenced: c("batches_fenced_total", "batches discarded because another consumer owns the partition"),
    rulesReloads: c("rules_reloads_total", "rule-set changes seen in the rules directory", ["result"]),
    ruleSet: new client.Gauge({ name: "moneytrail_rule_set_info", help: "the rule set in force (value 1)", labelNames: ["id", "version"], registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
