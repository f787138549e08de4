// docker/compose.yaml: no Docker engine runs here, so it is checked against the repository instead. It gives the
// service only settings `moneytrail run` reads, as a role that does not own the tables (README "The database role":
// it ran as the image's superuser, which can switch the audit trail's append-only trigger off), after the migration,
// with its ports on 127.0.0.1 (PostgreSQL with a known password was published on every address), a readiness
// healthcheck, and volumes for what must outlive a container (the rules saved from the page, the broker's log).
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ENV, runConfig } from "../src/config/run.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const DOCKER = join(PACKAGE_ROOT, "docker");
/** compose's interpolation with nothing set: ${VAR:-default} is the default, $$ a $ */
const interpolate = (s: string) => s.replace(/\$\{\w+:-([^}]*)\}/g, "$1").replace(/\$\$/g, "$");
const compose = parse(interpolate(readFileSync(join(DOCKER, "compose.yaml"), "utf8"))) as { services: Record<string, Service> };
const { kafka, postgres, migrate, moneytrail: service } = compose.services as Record<string, Service>;
const env = Object.fromEntries(Object.entries(service!.environment ?? {}).map(([k, v]) => [k, String(v)]));

describe("docker/compose.yaml", () => {
  it("sets only variables `moneytrail run` reads, and values it takes", () => {
    expect(Object.keys(env).filter((k) => !(k in ENV))).toEqual([]);
    const cfg = runConfig(env);
    expect(cfg.metricsHost).toBe("0.0.0.0");
    // the broker as the other containers reach it: a listener the broker advertises under its service name
    expect(String(kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).split(",")).toContain(`INTERNAL://${cfg.brokers[0]}`);
  });

  it("runs the service as a role of its own, which the migration lets use the tables, after the migration", () => {
    const user = (url: string) => new URL(url).username;
    const serviceRole = user(env.DATABASE_URL!);
    // the image's POSTGRES_USER is a superuser: as it, the service could switch the audit trail's trigger off
    expect(serviceRole).not.toBe(postgres!.environment!.POSTGRES_USER);
    expect(migrate!.command).toEqual(["db", "migrate", "--service-role", serviceRole]);
    expect(user(String(migrate!.environment!.DATABASE_URL))).toBe(postgres!.environment!.POSTGRES_USER);
    expect(migrate!.image).toBe(service!.image);
    expect(service!.depends_on).toMatchObject({ migrate: { condition: "service_completed_successfully" }, kafka: { condition: "service_healthy" } });
  });

  it("publishes ports on 127.0.0.1 only, and checks readiness on the metrics port", () => {
    for (const s of Object.values(compose.services)) for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    expect(service!.healthcheck!.test.join(" ")).toContain(`http://127.0.0.1:${env.MT_METRICS_PORT}/readyz`);
  });

  it("lets each published host port be moved (a laptop's own PostgreSQL holds 5432): an MT_HOST_*_PORT with its default", () => {
    const raw = parse(readFileSync(join(DOCKER, "compose.yaml"), "utf8")) as { services: Record<string, Service> };
    const ports = Object.values(raw.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\$\{MT_HOST_[A-Z]+_PORT:-\d+\}:\d+$/);
  });

  it("keeps the rules saved from the page, and the broker's log, in volumes", () => {
    expect(service!.volumes).toContain("rules:/app/rules");
    // PostgreSQL's positions point into the log: a log lost with its container while they stay skips the new events
    expect(kafka!.volumes).toContain(`kafka-data:${kafka!.environment!.KAFKA_LOG_DIRS}`);
  });
});

