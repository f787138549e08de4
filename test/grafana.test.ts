// The Grafana dashboard (docker/grafana/moneytrail-dashboard.json) only queries metrics the consumer exports:
// every moneytrail_* name (and every process_/nodejs_ default metric) in its expressions is registered by
// createMetrics(), and every label it groups or filters a moneytrail_* metric by is one of that metric's labels.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../src/app/metrics.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown; definition?: string }[] };
}

const file = join(PACKAGE_ROOT, "docker", "grafana", "moneytrail-dashboard.json");
const dashboard = JSON.parse(readFileSync(file, "utf8")) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const exprs = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? "")),
  ...dashboard.templating.list.map((v) => v.definition ?? ""),
].filter(Boolean);

const registry = createMetrics().registry;
/** series names a metric exports: a histogram's _bucket, _sum and _count as well */
const exported = new Map<string, { name: string; labels: string[] }>();
for (const m of registry.getMetricsAsArray()) {
  const meta = m as unknown as { name: string; labelNames?: string[]; get(): unknown };
  const labels = meta.labelNames ?? [];
  exported.set(meta.name, { name: meta.name, labels });
  for (const suffix of ["_bucket", "_sum", "_count"]) exported.set(`${meta.name}${suffix}`, { name: meta.name, labels: suffix === "_bucket" ? [...labels, "le"] : labels });
}
/** labels Prometheus adds to every scraped series */
const TARGET_LABELS = ["instance", "job"];

describe("Grafana dashboard", () => {
  it("is a dashboard with a Prometheus datasource variable, unique panel ids and a place for every panel", () => {
    expect(dashboard.uid).toBe("moneytrail");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ds = dashboard.templating.list.find((v) => v.type === "datasource");
    expect(ds).toMatchObject({ name: "datasource", query: "prometheus" });
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos, p.title).toBeDefined();
      if (p.type === "row") continue;
      expect(p.datasource?.uid, p.title).toBe("${datasource}");
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.expr, p.title).toBeTruthy();
    }
    expect(exprs.length).toBeGreaterThan(20);
  });

  it("queries only metrics createMetrics() registers", () => {
    const used = new Set(exprs.flatMap((e) => e.match(/\b(?:moneytrail|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect([...used].filter((n) => n.startsWith("moneytrail_")).length).toBeGreaterThan(10);
    const unknown = [...used].filter((n) => !exported.has(n));
    expect(unknown, `not registered by createMetrics(): ${unknown.join(", ")}`).toEqual([]);
  });

  it("shows every moneytrail metric createMetrics() registers", () => {
    const used = new Set(exprs.flatMap((e) => e.match(/\bmoneytrail_[a-z0-9_]+/g) ?? []).map((n) => exported.get(n)?.name ?? n));
    const names = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name).filter((n) => n.startsWith("moneytrail_"));
    expect(names.filter((n) => !used.has(n))).toEqual([]);
  });

  it("groups and filters moneytrail metrics only by labels they have", () => {
    for (const e of exprs) {
      const metrics = (e.match(/\bmoneytrail_[a-z0-9_]+/g) ?? []).map((n) => exported.get(n)!).filter(Boolean);
      if (!metrics.length) continue;
      const labels = new Set([...TARGET_LABELS, ...metrics.flatMap((m) => m.labels)]);
      const grouped = [...e.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(",").map((s) => s.trim()).filter(Boolean));
      const filtered = [...e.matchAll(/\bmoneytrail_[a-z0-9_]+\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]!));
      const wrong = [...grouped, ...filtered].filter((l) => !labels.has(l));
      expect(wrong, e).toEqual([]);
    }
  });
});
