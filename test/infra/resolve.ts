// Where the integration tests and benchmarks get a real Kafka broker and a real PostgreSQL, in this order:
//   1. an address from the environment: KAFKA_BROKERS, DATABASE_URL (used as is, nothing is started);
//   2. Testcontainers, when a Docker engine answers within ~2 s;
//   3. on this machine: Apache Kafka started by scripts/kafka-local.mjs (Java + Maven), and the local PostgreSQL
//      at MT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
// MT_TEST_INFRA=local or MT_TEST_INFRA=containers skips the Docker probe and takes that path.
// PostgreSQL paths 2 and 3 give each run a database of its own (mt_test_<time>_<random>), dropped at the end.
import { existsSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startKafka, type KafkaHandle, type RestartOptions } from "../../scripts/kafka-local.mjs";

export type Via = "env" | "testcontainers" | "local";

export interface KafkaResource {
  /** Comma-separated host:port list, as KAFKA_BROKERS. */
  brokers: string;
  via: Via;
  /** Human-readable: where it came from. */
  describe: string;
  /** Only for a broker this process started on this machine (via "local"); keeps data and ports. */
  restart?: (opts?: RestartOptions) => Promise<{ ms: number }>;
  stop(): Promise<void>;
}

export interface PostgresResource {
  url: string;
  via: Via;
  describe: string;
  stop(): Promise<void>;
}

export const DEFAULT_LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/test";
const KAFKA_IMAGE = process.env.MT_TEST_KAFKA_IMAGE ?? "confluentinc/cp-kafka:7.9.0"; // = Apache Kafka 3.9
const POSTGRES_IMAGE = process.env.MT_TEST_POSTGRES_IMAGE ?? "postgres:16-alpine";

const log = (msg: string): void => console.log(`[infra] ${msg}`);

let dockerProbe: Promise<boolean> | undefined;

/**
 * Whether a Docker engine answers, decided within timeoutMs and never hanging: without DOCKER_HOST, a Testcontainers
 * configuration or a docker socket it is "no" at once; otherwise Testcontainers' own runtime discovery is raced
 * against the timeout.
 */
export function dockerAvailable(timeoutMs = 2000): Promise<boolean> {
  dockerProbe ??= probeDocker(timeoutMs);
  return dockerProbe;
}

async function probeDocker(timeoutMs: number): Promise<boolean> {
  const mode = process.env.MT_TEST_INFRA;
  if (mode === "local") return false;
  if (mode === "containers") return true;
  if (mode) throw new Error(`MT_TEST_INFRA=${mode}: expected "local" or "containers" (or unset)`);
  const uid = process.getuid?.() ?? 0;
  const hints = [
    process.env.DOCKER_HOST,
    process.env.TESTCONTAINERS_HOST_OVERRIDE,
    existsSync(join(homedir(), ".testcontainers.properties")) ? "properties" : undefined,
    ...[
      "/var/run/docker.sock",
      join(homedir(), ".docker", "run", "docker.sock"),
      join(homedir(), ".docker", "desktop", "docker.sock"),
      `/run/user/${uid}/docker.sock`,
      process.env.XDG_RUNTIME_DIR ? join(process.env.XDG_RUNTIME_DIR, "docker.sock") : "",
    ].filter((p) => p && existsSync(p)),
  ].filter(Boolean);
  if (hints.length === 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((res) => {
    timer = setTimeout(() => res(false), timeoutMs);
    timer.unref();
  });
  const probe = (async () => {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  })().catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function resolveKafka(): Promise<KafkaResource> {
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) {
    log(`Kafka: KAFKA_BROKERS=${fromEnv} from the environment (nothing started)`);
    return { brokers: fromEnv, via: "env", describe: `KAFKA_BROKERS=${fromEnv} (environment)`, stop: async () => {} };
  }
  if (await dockerAvailable()) {
    const t0 = Date.now();
    const { KafkaContainer } = await import("@testcontainers/kafka");
    const container = await new KafkaContainer(KAFKA_IMAGE)
      .withKraft()
      .withEnvironment({
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "true",
        KAFKA_NUM_PARTITIONS: "1",
      })
      .start();
    const brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
    const describe = `Testcontainers ${KAFKA_IMAGE} at ${brokers}`;
    log(`Kafka: ${describe} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return { brokers, via: "testcontainers", describe, stop: async () => void (await container.stop()) };
  }
  const k: KafkaHandle = await startKafka({ quiet: true });
  const t = k.timings;
  const describe = `local Apache Kafka ${k.version} at ${k.brokers} (scripts/kafka-local.mjs, pid ${k.pid}, log ${k.logFile})`;
  log(`Kafka: ${describe}; ${(t.totalMs / 1000).toFixed(1)} s${t.resolvedNow ? `, of which ${(t.resolveMs / 1000).toFixed(1)} s resolving jars with mvn` : ""}`);
  return {
    brokers: k.brokers,
    via: "local",
    describe,
    restart: (opts) => k.restart(opts),
    stop: async () => void (await k.stop()),
  };
}

export async function resolvePostgres(): Promise<PostgresResource> {
  const fromEnv = process.env.DATABASE_URL?.trim();
  if (fromEnv) {
    log(`PostgreSQL: DATABASE_URL=${redact(fromEnv)} from the environment (used as is)`);
    return { url: fromEnv, via: "env", describe: `DATABASE_URL=${redact(fromEnv)} (environment)`, stop: async () => {} };
  }
  if (await dockerAvailable()) {
    const t0 = Date.now();
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
    // the container is this run's alone, but the database is made the same way as locally
    const db = await isolatedDatabase(container.getConnectionUri());
    const describe = `Testcontainers ${POSTGRES_IMAGE}, database ${db.name}`;
    log(`PostgreSQL: ${describe} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return {
      url: db.url,
      via: "testcontainers",
      describe,
      stop: async () => {
        await db.drop().catch(() => {});
        await container.stop();
      },
    };
  }
  const base = process.env.MT_TEST_POSTGRES_URL ?? DEFAULT_LOCAL_POSTGRES;
  const db = await isolatedDatabase(base).catch((e: Error) => {
    throw new Error(
      `no PostgreSQL for the integration tests: DATABASE_URL is not set, no Docker engine answers, and the local ` +
        `PostgreSQL at ${redact(base)} (MT_TEST_POSTGRES_URL) failed: ${e.message}`,
    );
  });
  const describe = `local PostgreSQL ${redact(base)}, database ${db.name} (dropped at the end)`;
  log(`PostgreSQL: ${describe}`);
  return { url: db.url, via: "local", describe, stop: db.drop };
}

/**
 * A new database on the server of baseUrl, for one test run: its URL, and drop() for the teardown. Its comment
 * names this host and process; databases of earlier runs whose process on this host is gone (a run killed before
 * its teardown), or older than a day, are dropped on the way.
 */
export async function isolatedDatabase(baseUrl: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `mt_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.query(`COMMENT ON DATABASE ${name} IS 'moneytrail test run host=${hostname().replace(/'/g, "")} pid=${process.pid}'`);
    const others = await admin.query<{ datname: string; comment: string | null }>(
      "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'mt\\_test\\_%' AND datname <> $1",
      [name],
    );
    for (const { datname, comment } of others.rows) {
      const born = parseInt(datname.split("_")[2] ?? "", 36);
      const m = /host=(\S+) pid=(\d+)/.exec(comment ?? "");
      const orphan = m !== null && m[1] === hostname() && !processAlive(Number(m[2]));
      if (orphan || (Number.isFinite(born) && Date.now() - born > 24 * 3600_000)) {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => {});
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
