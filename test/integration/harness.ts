// What the integration tests share: fresh names, an isolated PostgreSQL schema, producing a file to a topic,
// reading a topic back, waiting until the consumer has caught up, and running `moneytrail run` as a process.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { tmpdir } from "node:os";
import pg from "pg";
import { afterAll, beforeAll, expect } from "vitest";
import { serverDb, type Db } from "../../src/cases/db.js";
import { testDb } from "../helpers/db.js";
import { Auth } from "../../src/web/auth.js";
import { CONSOLE, type Role } from "../../src/cases/store.js";
import { Kafka, logLevel, CompressionTypes, type IHeaders, type Message } from "kafkajs";
import { replay } from "../../src/app/replay.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { DEFAULT_RULES, PACKAGE_ROOT, SAMPLE_DIR } from "../../src/lib/paths.js";
import type { Alert } from "../../src/decode/events.js";
import { Runner } from "../../src/app/run.js";
import { runConfig } from "../../src/config/run.js";
import { createLogger } from "../../src/lib/log.js";
import { PgStore } from "../../src/sinks/postgres/store.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { keyOf } from "../../src/app/produce.js";
import { IndicatorSet } from "../../src/indicators/schema.js";
import { signSet } from "../../src/indicators/sign.js";
import { publishSet } from "../../src/indicators/distribution.js";
import { SAMPLE_KEY_ID } from "../../src/fixtures/write-sample.js";
import { CLI } from "../helpers/cli.js";
import { ensureTopics } from "../../src/source/kafka.js";

export const SAMPLE_EVENTS = join(SAMPLE_DIR, "events.ndjson");
export const SAMPLE_INDICATORS = join(SAMPLE_DIR, "indicators");

export function brokers(): string[] {
  const b = process.env.KAFKA_BROKERS;
  if (!b) throw new Error("KAFKA_BROKERS is not set: the integration global setup should have started a broker");
  return b.split(",");
}

export function databaseUrl(): string {
  const u = process.env.DATABASE_URL;
  if (!u) throw new Error("DATABASE_URL is not set: the integration global setup should have provided PostgreSQL");
  return u;
}

export const kafka = (): Kafka => new Kafka({ brokers: brokers(), clientId: "mt-test", logLevel: logLevel.NOTHING });

export interface Names {
  id: string;
  group: string;
  events: string;
  alerts: string;
  dead: string;
}

export function freshNames(prefix: string): Names {
  const id = `${prefix}-${randomBytes(4).toString("hex")}`;
  return { id, group: `g-${id}`, events: `ev-${id}`, alerts: `al-${id}`, dead: `dl-${id}` };
}

/** The events topic deleted and made again, empty, with one partition. */
export async function recreateEventsTopic(n: Names): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [n.events] });
    await until("the topic deleted", async () => !(await admin.listTopics()).includes(n.events));
    await until("the topic made again", () =>
      ensureTopics(admin, [{ topic: n.events, partitions: 1 }]).then(
        () => true,
        () => false,
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(n: Names, partitions: number): Promise<void> {
  await makeTopics([n.events, n.alerts, n.dead], partitions);
}

/**
 * `topics` (`partitions` each, with `config` if given) made and served, as `run` makes its own (ensureTopics): not
 * kafkajs's createTopics({ waitForLeaders }), which on the KRaft broker returns before the topic is served ("This
 * server does not host this topic-partition" at the test's next step; also just after stop-hung-broker resumes it).
 */
export async function makeTopics(topics: string[], partitions: number, config?: Record<string, string>): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics.map((topic) => ({ topic, partitions, ...(config && { config }) })));
  } finally {
    await admin.disconnect();
  }
}

/**
 * An indicator-set topic of one partition, of its own (named after `prefix`), holding `messages` in order, each
 * sent apart (a batch of its own; `gzip`: compressed, as a batch the codecs may refuse).
 */
export async function indicatorTopicWith(prefix: string, messages: { key: string; value: string | Buffer; gzip?: boolean }[]): Promise<string> {
  const topic = `${freshNames(prefix).id}.indicator-sets`;
  await makeTopics([topic], 1);
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const { key, value, gzip } of messages) await producer.send({ topic, ...(gzip && { compression: CompressionTypes.GZIP }), messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
  return topic;
}

/**
 * A gzip bomb on the events topic under `line`'s key: 8 MiB of zeros, about 8 KB once compressed, over any bound a
 * test sets below it. Returns its offset.
 */
export async function sendBomb(topic: string, line: string): Promise<string> {
  const producer = kafka().producer();
  await producer.connect();
  try {
    const [sent] = await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ key: keyOf(line), value: Buffer.alloc(8 << 20) }] });
    return sent!.baseOffset!;
  } finally {
    await producer.disconnect();
  }
}

/** Sends messages as they are (keys, headers, bytes) to a topic, each acknowledged by every replica. */
export async function sendMessages(topic: string, messages: Message[]): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Sets the alerts topic's max.message.bytes: 100 refuses every alert, as a topic made with too low a limit does. */
export async function alertsLimit(n: Names, bytes: number): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: n.alerts, configEntries: [{ name: "max.message.bytes", value: String(bytes) }] }] });
  } finally {
    await admin.disconnect();
  }
}

/** A schema of its own for one test, as a DATABASE_URL whose connections use it. */
export async function freshSchema(n: Names): Promise<string> {
  const schema = n.id.replace(/[^a-z0-9]/g, "_");
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const url = new URL(databaseUrl());
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

/**
 * Call once at a test file's top level: a schema of its own on the real PostgreSQL (named after `prefix`), its
 * database opened before the file's tests and closed after them, and the `moneytrail` command run with it as
 * DATABASE_URL, as the operator runs it on the server.
 */
export function serverSchema(prefix: string): { db: () => Db; cli: (...args: string[]) => SpawnSyncReturns<string> } {
  let url: string;
  let db: Db;
  beforeAll(async () => {
    url = await freshSchema(freshNames(prefix));
    db = await serverDb(url);
  });
  afterAll(async () => {
    await db?.close();
  });
  return {
    db: () => db,
    cli: (...args) => spawnSync(process.execPath, [...CLI, ...args], { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8", timeout: 60_000 }),
  };
}

/** Work on a connection of its own to `url`, closed after. */
export async function onClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/**
 * Call once at a test file's top level: a schema of its own (named after `prefix`, empty) and a login role of its own
 * for the service (`role`, owning nothing), made before the file's tests and dropped after them with all the role
 * came to own. Once made, `ownerUrl` is the schema's URL as its owner (the tests' user), `serviceUrl` as the role.
 */
export function serviceRoleSchema(prefix: string): { n: Names; role: string; ownerUrl: string; serviceUrl: string } {
  const n = freshNames(prefix);
  const schema = { n, role: `mt_service_${n.id.replace(/[^a-z0-9]/g, "_")}`, ownerUrl: "", serviceUrl: "" };
  beforeAll(async () => {
    await onClient(databaseUrl(), (c) => c.query(`CREATE ROLE ${schema.role} LOGIN`));
    schema.ownerUrl = await freshSchema(n);
    const u = new URL(schema.ownerUrl);
    u.username = schema.role;
    u.password = "";
    schema.serviceUrl = u.toString();
  });
  afterAll(async () => {
    await onClient(databaseUrl(), async (c) => {
      await c.query(`DROP SCHEMA IF EXISTS ${n.id.replace(/[^a-z0-9]/g, "_")} CASCADE`);
      await c.query(`DROP OWNED BY ${schema.role}`);
      await c.query(`DROP ROLE ${schema.role}`);
    });
  });
  return schema;
}

/** A pool on a fresh, migrated schema of its own, and the consumer's store on it. */
export async function freshStore(n: Names, max = 2): Promise<{ pool: pg.Pool; store: PgStore }> {
  const pool = new pg.Pool({ connectionString: await freshSchema(n), max });
  const c = await pool.connect();
  try {
    await migrate(c);
  } finally {
    c.release();
  }
  return { pool, store: new PgStore(pool, n.group) };
}

export function sampleLines(): string[] {
  return readFileSync(SAMPLE_EVENTS, "utf8").split("\n").filter(Boolean);
}

/** The sample's transactions alone: chunks without outputs, whose positions are saved in the background. */
export function sampleTransactions(): string[] {
  return sampleLines().filter((l) => l.includes('"type":"transaction"'));
}

/**
 * The sample's lines of the merchants replay alerts (`loud`) and of the others (`quiet`: consumed, they make no
 * outputs, so they are processed without PostgreSQL, as most chunks are).
 */
export async function sampleByAlerts(): Promise<{ quiet: string[]; loud: string[] }> {
  const alerted = new Set((await replayAlerts()).map((a) => a.merchantId));
  const lines = sampleLines();
  const isLoud = (l: string) => alerted.has((JSON.parse(l) as { merchantId: string }).merchantId);
  return { quiet: lines.filter((l) => !isLoud(l)), loud: lines.filter(isLoud) };
}

/** Produces lines (keyed by merchantId) in batches; `pauseMs` between batches spreads them out in time. */
/** what produce() sends at once at most: under the broker's 1 MiB record batch, with room for the records' framing */
const SEND_BYTES = 900 * 1024;

export async function produce(topic: string, lines: (string | Buffer)[], o: { batch?: number; pauseMs?: number } = {}): Promise<void> {
  // idempotent: a send retried after a timeout on a loaded machine put its messages on the topic twice (a CI run read
  // 2,704 offsets where 2,500 lines were sent), and every count a test makes of them
  const producer = kafka().producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const size = o.batch ?? 500;
  for (let i = 0; i < lines.length; ) {
    // `size` lines, or fewer where they would pass the broker's 1 MiB a batch (large messages mixed in)
    let end = i;
    for (let bytes = 0; end < lines.length && end - i < size && (end === i || bytes + lines[end]!.length <= SEND_BYTES); end++) bytes += lines[end]!.length;
    const messages = lines.slice(i, end).map((l) => ({ key: typeof l === "string" ? keyOf(l) : null, value: l }));
    await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
    i = end;
    if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
  }
  await producer.disconnect();
}

export interface Read {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** the headers as kafkajs read them: bytes, an array for a repeated name */
  rawHeaders: IHeaders;
  partition: number;
}

/** Every committed message of a topic, read from the start until `count` arrived or `idleMs` passed quietly. */
export async function readTopic(topic: string, o: { count?: number; idleMs?: number; timeoutMs?: number } = {}): Promise<Read[]> {
  const consumer = kafka().consumer({ groupId: `reader-${randomBytes(4).toString("hex")}`, readUncommitted: false });
  const out: Read[] = [];
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      last = Date.now();
      out.push({ key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers: textHeaders(message.headers), rawHeaders: message.headers ?? {}, partition });
    },
  });
  const start = Date.now();
  const idle = o.idleMs ?? 4000;
  while (Date.now() - start < (o.timeoutMs ?? 60_000)) {
    if (o.count !== undefined && out.length >= o.count && Date.now() - last > 1000) break;
    if (o.count === undefined && Date.now() - last > idle && Date.now() - start > idle) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await consumer.disconnect();
  return out;
}

function textHeaders(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
  return out;
}

/** The alerts `moneytrail replay` gives on the same file with the same rules and indicators. */
export async function replayAlerts(eventsFile = SAMPLE_EVENTS, indicators = SAMPLE_INDICATORS): Promise<Alert[]> {
  const dir = join(tmpdir(), `mt-replay-${randomBytes(4).toString("hex")}`);
  await replay({
    events: eventsFile,
    out: join(dir, "alerts.ndjson"),
    rejects: join(dir, "rejects.ndjson"),
    ruleSet: loadRuleSet(DEFAULT_RULES),
    indicators: loadIndicators(indicators),
    progress: false,
  });
  return readFileSync(join(dir, "alerts.ndjson"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Alert);
}

/** Runs `lines` through a consumer of its own to their end and stops it: their positions and checkpoint saved. */
export async function consumedAndStopped(n: Names, url: string, lines: string[]): Promise<void> {
  const runner = await startRunner(n, url);
  try {
    await produce(n.events, lines);
    await waitCaughtUp(n, url, 60_000);
  } finally {
    await runner.stop();
  }
}

/** Waits until the group's stored positions reach the end of the topic and the outbox is empty. */
export async function waitCaughtUp(n: Names, url: string, timeoutMs = 120_000): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const ends = await admin.fetchTopicOffsets(n.events);
    const start = Date.now();
    for (;;) {
      const parts = await pool
        .query<{ partition: number; next_offset: string | null }>("SELECT partition, next_offset FROM mt_partitions WHERE group_id = $1", [n.group])
        .catch(() => ({ rows: [] as { partition: number; next_offset: string | null }[] }));
      const pending = await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox").catch(() => ({ rows: [{ n: "1" }] }));
      const done = ends.every((e) => e.high === "0" || parts.rows.some((r) => r.partition === e.partition && r.next_offset === e.high));
      if (done && pending.rows[0]!.n === "0") return;
      if (Date.now() - start > timeoutMs) throw new Error(`consumer did not catch up in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await admin.disconnect();
    await pool.end();
  }
}

/** `moneytrail run` as a child process (so a test can kill -9 it). */
export function spawnRunner(n: Names, url: string, extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [...CLI, "run"], {
    cwd: PACKAGE_ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers().join(","),
      DATABASE_URL: url,
      MT_GROUP_ID: n.group,
      MT_EVENTS_TOPIC: n.events,
      MT_ALERTS_TOPIC: n.alerts,
      MT_DEAD_LETTER_TOPIC: n.dead,
      MT_INDICATORS: SAMPLE_INDICATORS,
      MT_METRICS_PORT: "0",
      MT_HTTP_PORT: "0",
      // the warm-up (1-4 s of CPU at each start on this machine) is for production's first events; run.test keeps it
      MT_WARM_UP_EVENTS: "0",
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.resume();
  child.stderr?.on("data", (d: Buffer) => process.env.MT_TEST_VERBOSE && process.stderr.write(d));
  return child;
}

/** Resolves once a runner started with LOG_LEVEL=info logs that it is consuming. */
export function consuming(child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the consumer did not start in time")), timeoutMs);
    let seen = "";
    child.stdout?.on("data", (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4096);
      if (seen.includes('"msg":"consuming"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export interface CaseRow {
  merchant_id: string;
  alerts: string[];
  score: number;
  severity: string;
  opened_at: Date;
  last_alert_id: string;
}

export async function casesAndAlerts(url: string): Promise<{ alerts: Alert[]; cases: CaseRow[] }> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const alerts = (await pool.query<{ alert: Alert }>("SELECT alert FROM mt_alerts ORDER BY alert_id")).rows.map((r) => r.alert);
    const cases = (
      await pool.query<CaseRow>(
        `SELECT c.merchant_id, array_agg(ca.alert_id ORDER BY ca.alert_id) AS alerts, c.score, c.severity, c.opened_at, c.last_alert_id
         FROM mt_cases c JOIN mt_case_alerts ca USING (case_id) GROUP BY c.case_id ORDER BY c.merchant_id`,
      )
    ).rows;
    return { alerts, cases };
  } finally {
    await pool.end();
  }
}

export const ids = (alerts: { alertId: string }[]): string[] => alerts.map((a) => a.alertId).sort();

/** `moneytrail run` in this process, on the test's topics and schema, without its HTTP ports. */
export async function startRunner(n: Names, url: string, over: Record<string, unknown> = {}, log = createLogger("fatal")): Promise<Runner> {
  const cfg = runConfig(
    {},
    {
      brokers: brokers().join(","),
      databaseUrl: url,
      groupId: n.group,
      eventsTopic: n.events,
      alertsTopic: n.alerts,
      deadLetterTopic: n.dead,
      indicators: SAMPLE_INDICATORS,
      metricsPort: 0,
      httpPort: 0,
      // as spawnRunner's
      warmUpEvents: 0,
      ...over,
    },
  );
  return Runner.start(cfg, log);
}

/** The sample's signed indicator set (version 1), and `sign`, which signs another version as its publisher would. */
export function sampleSetSigning(): { v1: IndicatorSet; sign: (set: IndicatorSet) => IndicatorSet } {
  const v1 = IndicatorSet.parse(JSON.parse(readFileSync(join(SAMPLE_INDICATORS, "coalition-sample.json"), "utf8")));
  const key = readFileSync(join(SAMPLE_DIR, "keys", `${SAMPLE_KEY_ID}.key.pem`), "utf8");
  return { v1, sign: (set) => signSet(set, SAMPLE_KEY_ID, key) };
}

/** A runner taking its indicator sets from `topic` alone, trusting the sample's publisher (sampleSetSigning's key). */
export const sampleSetsRunner = (n: Names, url: string, topic: string): Promise<Runner> =>
  startRunner(n, url, { indicators: undefined, trustStore: join(SAMPLE_DIR, "trust.json"), indicatorTopic: topic });

/**
 * A sampleSetsRunner on a topic of its own takes `sets`, published in order, until the last one's version is in
 * force, and stops: PostgreSQL remembers that release.
 */
export async function setsPutInForce(n: Names, url: string, sets: IndicatorSet[]): Promise<void> {
  const topic = `${n.id}.indicator-sets`;
  const version = sets.at(-1)!.version;
  const first = await sampleSetsRunner(n, url, topic);
  try {
    for (const set of sets) await publishSet(kafka(), topic, set);
    await until(`version ${version} in force`, () => first.indicatorSets.some((s) => s.version === version));
  } finally {
    await first.stop();
  }
}

/** How many indicator sets the runner has refused for `reason` (moneytrail_indicator_sets_refused_total). */
export const indicatorRefusals = async (runner: Runner, reason: string): Promise<number> =>
  (await runner.metrics.indicatorRefusals.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

/** Polls until `ok` holds, or fails naming what it waited for. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Each claimed partition's owner (host:pid) in the PostgreSQL fence of a group. */
export async function owners(url: string, group: string): Promise<Map<number, string>> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const r = await pool.query<{ partition: number; owner: string }>("SELECT partition, owner FROM mt_partitions WHERE group_id = $1", [group]);
    return new Map(r.rows.map((x) => [x.partition, x.owner]));
  } finally {
    await pool.end();
  }
}

/** The two databases the case queue runs on, for describe.each: PostgreSQL (a schema of its own) and the embedded PGlite. */
export const bothDatabases = (name: string) =>
  [
    ["PostgreSQL", async (): Promise<Db> => serverDb(await freshSchema(freshNames(name)))],
    ["embedded PGlite", (): Promise<Db> => testDb()],
  ] as const;

/** Adds each user with its role (password "<name>-password-long") and gives back an API token per user name. */
export async function usersWithTokens(db: Db, users: readonly (readonly [string, Role])[]): Promise<Record<string, string>> {
  const auth = new Auth(db);
  const tokens: Record<string, string> = {};
  for (const [u, role] of users) {
    await auth.addUser(CONSOLE, { username: u, role, password: `${u}-password-long` });
    tokens[u] = (await auth.createToken(CONSOLE, u, "test")).token;
  }
  return tokens;
}

/** A high-severity brand-churn alert of a synthetic merchant, numbered 1-9, for a case to review. */
export const reviewAlert = (prefix: string, n: number, merchantId = `acq-test:M-${n}`): Alert => ({
  alertId: `${prefix}-${n}`,
  merchantId,
  raisedAt: `2026-03-0${n}T00:00:00Z`,
  score: 70 + n,
  severity: "high",
  typologies: ["brand-churn"],
  signals: [{ rule: "descriptor-churn", version: "v1", kind: "descriptor-churn", value: 4, threshold: 3, explanation: "4 descriptors in 30 days", evidence: { eventIds: [] } }],
  ruleSet: { id: "default", version: "sha256:00" },
});

/**
 * Exactly once: the alerts of one uninterrupted replay of the sample, each once in the case table and once on the
 * alerts topic, and a case per alerted merchant. Returns replay's alerts and the table's.
 */
export async function expectSampleAlertsOnce(url: string, alertsTopic: string): Promise<{ expected: Alert[]; alerts: Alert[] }> {
  const expected = await replayAlerts();
  const { alerts, cases } = await casesAndAlerts(url);
  expect(ids(alerts)).toEqual(ids(expected));
  const onTopic = (await readTopic(alertsTopic, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
  expect(ids(onTopic)).toEqual(ids(expected));
  expect(cases.map((c) => c.merchant_id)).toEqual([...new Set(expected.map((a) => a.merchantId))].sort());
  return { expected, alerts };
}

/** A TCP proxy in front of the test's PostgreSQL, which a test takes away and brings back (pgProxy). */
export interface PgProxy {
  /** DATABASE_URL through the proxy (the same database, user, schema and options as the URL it was given) */
  url: string;
  /**
   * PostgreSQL gone, as in a restart or failover: every connection through the proxy is cut (a connection reset)
   * and new ones are refused until up().
   */
  down(): Promise<void>;
  /**
   * PostgreSQL hung, as a failover to an address that does not answer: connections stay open but nothing passes
   * either way, new ones are accepted and never answered, until up() (which cuts what the stall held).
   */
  stall(): void;
  /**
   * After stall(), PostgreSQL answers again at the same address, as after a failover to a new server: new connections
   * pass, while those the stall held stay hung (nothing passes, nothing closes them; only a client's own timeouts end
   * them), as connections to a server that no longer answers do.
   */
  failover(): void;
  /** Connections accepted again, on the same port. */
  up(): Promise<void>;
  /**
   * down() as soon as a client sends a message holding `text` (a statement's text: the connection is not TLS), with
   * that message passed on first: PostgreSQL goes away while that statement is in progress. Resolves once cut.
   */
  downOn(text: string): Promise<void>;
  /** connections open through the proxy now */
  open(): number;
  close(): Promise<void>;
}

/** A test's topics (`partitions` each) and schema, with a pgProxy in front of its PostgreSQL for the consumer to use. */
export async function behindProxy(prefix: string, partitions: number): Promise<{ n: Names; url: string; proxy: PgProxy }> {
  const n = freshNames(prefix);
  await createTopics(n, partitions);
  const url = await freshSchema(n);
  return { n, url, proxy: await pgProxy(url) };
}

/**
 * PostgreSQL away under a consumer of the sample's transactions (no outputs: only positions and checkpoints meet it):
 * 200 consumed and saved, PostgreSQL taken away, 200 more produced, `failing` awaited and 5 s more of failures (the
 * background saves run every second), then PostgreSQL back and all saved.
 */
export async function quietOutage(n: Names, url: string, proxy: PgProxy, failing: { what: string; ok: () => boolean }): Promise<void> {
  const quiet = sampleTransactions();
  await produce(n.events, quiet.slice(0, 200));
  await waitCaughtUp(n, url);
  await proxy.down();
  await produce(n.events, quiet.slice(200, 400));
  await until(failing.what, failing.ok, 30_000);
  await new Promise((r) => setTimeout(r, 5000));
  await proxy.up();
  await waitCaughtUp(n, url);
}

/**
 * PostgreSQL taken away for real without touching the shared server (other tests use it): the consumer talks to the
 * real server through this proxy, which the test can cut off.
 */
export async function pgProxy(url: string): Promise<PgProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (stalled) {
      sockets.add(client);
      client.on("error", () => client.destroy());
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    upstreams.set(client, upstream);
    const passes = () => !stalled && !hung.has(client);
    const drop = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      upstreams.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    // a hung connection's server is gone (failover), its client side stays open and silent
    const gone = () => (hung.has(client) ? (sockets.delete(upstream), upstream.destroy()) : drop());
    upstream.on("error", gone).on("close", gone);
    client.on("data", (chunk: Buffer) => {
      if (!passes()) return;
      upstream.write(chunk);
      const w = watch;
      if (w && chunk.includes(w.text)) {
        watch = undefined;
        void down().then(w.cut);
      }
    });
    upstream.on("data", (chunk: Buffer) => void (passes() && client.write(chunk)));
  });
  let stalled = false;
  // connections held by a stall and left hung by failover()
  const hung = new Set<Socket>();
  const upstreams = new Map<Socket, Socket>();
  let watch: { text: string; cut: () => void } | undefined;
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => (server.off("error", reject), resolve())));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(port);
  let listening = true;
  const down = async () => {
    if (!listening) return;
    listening = false;
    stalled = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
    hung.clear();
    upstreams.clear();
    await closed;
  };
  return {
    url: proxied.toString(),
    down,
    stall: () => void (stalled = true),
    failover: () => {
      // the old server's sessions end with it (their transactions' locks too)
      for (const s of sockets) hung.add(s);
      for (const u of upstreams.values()) u.destroy();
      stalled = false;
    },
    up: async () => {
      if (stalled) await down();
      if (listening) return;
      await listen(port);
      listening = true;
    },
    downOn: (text) => new Promise<void>((cut) => (watch = { text, cut })),
    open: () => sockets.size / 2,
    close: down,
  };
}

/** The runner's PostgreSQL store refuses its first chunk with outputs, as a lost connection would; returns the calls. */
export function failFirstCommit(runner: Runner): { calls: number } {
  const store = (runner as unknown as { store: { commitOutputs: (...args: unknown[]) => Promise<unknown> } }).store;
  const commitOutputs = store.commitOutputs.bind(store);
  const seen = { calls: 0 };
  store.commitOutputs = async (...args) => {
    if (seen.calls++ === 0) throw new Error("injected: connection to PostgreSQL lost");
    return commitOutputs(...args);
  };
  return seen;
}
