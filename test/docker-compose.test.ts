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
const RAW = readFileSync(join(DOCKER, "compose.yaml"), "utf8");
/**
 * compose's interpolation with `vars` set: ${VAR:-default} is VAR or the default, ${VAR:?message} is VAR or a stop
 * with the message (as compose says it), ${VAR} is VAR, $$ a $
 */
const interpolate = (s: string, vars: Record<string, string>) =>
  s
    .replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string) => {
      if (vars[name]) return vars[name];
      if (op === "?") throw new Error(`required variable ${name} is missing a value: ${arg}`);
      return op === "-" ? arg : "";
    })
    .replace(/\$\$/g, "$");
/** the passwords as a docker/.env would set them (placeholders, letters and digits) */
const PASSWORDS = { MT_DB_OWNER_PASSWORD: "tokalphaowner1", MT_DB_SERVICE_PASSWORD: "tokbravoservice2" };
const compose = parse(interpolate(RAW, PASSWORDS)) as { services: Record<string, Service> };
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

  it("has no default password: without MT_DB_OWNER_PASSWORD or MT_DB_SERVICE_PASSWORD compose stops, saying what to set", () => {
    // every reference to a secret is ${VAR:?message}: a default would be a password everyone knows
    const refs = [...RAW.matchAll(/\$\{\w*(?:PASSWORD|SECRET|TOKEN)\w*[^}]*\}/g)];
    expect(refs.length).toBeGreaterThanOrEqual(5);
    for (const [ref] of refs) expect(ref, `${ref}: required, not defaulted`).toMatch(/^\$\{\w+:\?[^}]+\}$/);
    for (const name of Object.keys(PASSWORDS)) {
      const without = { ...PASSWORDS, [name]: "" };
      expect(() => interpolate(RAW, without)).toThrow(new RegExp(`^required variable ${name} is missing a value: set ${name} \\(letters and digits\\) in docker/\\.env or the environment; see the top of docker/compose\\.yaml$`));
    }
    // the passwords set are the ones used: the owner's for PostgreSQL, the role and the migration, the service's for its role and the service
    const url = (u: unknown) => new URL(String(u));
    expect(postgres!.environment!.POSTGRES_PASSWORD).toBe(PASSWORDS.MT_DB_OWNER_PASSWORD);
    expect(compose.services["db-role"]!.environment!.PGPASSWORD).toBe(PASSWORDS.MT_DB_OWNER_PASSWORD);
    expect(url(migrate!.environment!.DATABASE_URL).password).toBe(PASSWORDS.MT_DB_OWNER_PASSWORD);
    expect(compose.services["db-role"]!.command!.join(" ")).toContain(`ALTER ROLE moneytrail_service PASSWORD '${PASSWORDS.MT_DB_SERVICE_PASSWORD}'`);
    expect(url(env.DATABASE_URL).password).toBe(PASSWORDS.MT_DB_SERVICE_PASSWORD);
  });

  it("publishes ports on 127.0.0.1 only, and checks readiness on the metrics port", () => {
    for (const s of Object.values(compose.services)) for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    expect(service!.healthcheck!.test.join(" ")).toContain(`http://127.0.0.1:${env.MT_METRICS_PORT}/readyz`);
  });

  it("lets each published host port be moved (a laptop's own PostgreSQL holds 5432): an MT_HOST_*_PORT with its default", () => {
    const raw = parse(RAW) as { services: Record<string, Service> };
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

