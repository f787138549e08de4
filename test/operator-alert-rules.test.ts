// "What do I alert on?" docker/prometheus/moneytrail-alerts.yaml answers it; each rule must query metrics and labels
// the consumer exports (a renamed metric would leave an alert that never fires), and say what to do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMetrics } from "../src/app/metrics.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; todo: string };
}
const file = join(PACKAGE_ROOT, "docker", "prometheus", "moneytrail-alerts.yaml");
const rules = (parse(readFileSync(file, "utf8")) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const labelsOf = new Map(createMetrics().registry.getMetricsAsArray().map((m) => [(m as unknown as { name: string }).name, (m as unknown as { labelNames?: string[] }).labelNames ?? []]));

describe("Prometheus alerting rules", () => {
  it("each have a unique name, a severity (page or ticket), a summary and what to do", () => {
    expect(rules.length).toBeGreaterThan(8);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(["page", "ticket"], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.todo, r.alert).toBeTruthy();
    }
  });

  it("query only metrics the consumer exports, by labels they have", () => {
    for (const r of rules) {
      for (const [, name, matchers] of r.expr.matchAll(/\b(moneytrail_[a-z0-9_]+)(?:\{([^}]*)\})?/g)) {
        expect(labelsOf.has(name!), `${r.alert}: ${name} is not exported`).toBe(true);
        for (const [, label] of (matchers ?? "").matchAll(/([a-z_]+)\s*=~?/g)) expect(labelsOf.get(name!), `${r.alert}: ${name} has no label ${label}`).toContain(label);
      }
      // grouped by: the labels of the series it aggregates, or the target's
      for (const [, by] of r.expr.matchAll(/by \(([^)]*)\)/g))
        for (const label of by!.split(",").map((l) => l.trim()))
          expect(["instance", "job", ...[...r.expr.matchAll(/\b(moneytrail_[a-z0-9_]+)/g)].flatMap(([, n]) => labelsOf.get(n!) ?? [])], `${r.alert}: by ${label}`).toContain(label);
    }
  });

  it("cover a partition the consumer no longer consumes, and the first dead letter", () => {
    const exprs = rules.map((r) => r.expr).join("\n");
    expect(exprs).toContain("moneytrail_partitions_stopped");
    expect(exprs).toContain("increase(moneytrail_events_dead_lettered_total");
  });
});
