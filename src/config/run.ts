// Configuration of `moneytrail run`, from the environment with command-line flags on top, validated with zod.
import buffer from "node:buffer";
import { existsSync } from "node:fs";
import { z } from "zod";
import { InvalidArgumentError } from "commander";
import { distance } from "fastest-levenshtein";
import { DEFAULT_RULES } from "../lib/paths.js";
import { DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BYTES, MAX_MAX_BYTES, MIN_MAX_BYTES } from "../decode/decode.js";
import { UsageError } from "../lib/errors.js";
import { wholeNumber } from "../lib/whole-number.js";
import { AUTH_VARIABLES } from "./auth.js";
import { KAFKA_SECURITY_VARIABLES } from "./kafka.js";
import { DEFAULT_MAX_BATCH_BYTES } from "../source/codecs.js";

/**
 * The ports fetch refuses to connect to, as the fetch standard lists them (https://fetch.spec.whatwg.org/#bad-port);
 * undici, Node's fetch, blocks the same list but does not export it.
 */
const BAD_PORTS = new Set(
  [
    1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
    139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
    2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
  ].map(String),
);

const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])], { error: "expected true or false (or 1/0, yes/no)" })
  .transform((v) => v === true || v === "true" || v === "1" || v === "yes");

/** wholeNumber as commander's parser of a flag's value: a bad value is refused before the command does anything. */
export function wholeNumberFlag(min: number, max?: number): (value: string) => number {
  const schema = wholeNumber(min, max);
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
    return parsed.data;
  };
}

/** How long a connection to PostgreSQL may take to open: `run`'s MT_PG_CONNECT_TIMEOUT_MS, and every command's. */
export const DEFAULT_PG_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Where a PostgreSQL URL points, as pg reads it, for messages: the host and port, or the socket directory of
 * `?host=/run/postgresql` (the URL's host may then be left out). Never the user or password.
 */
export function databaseWhere(url: string): string {
  const u = URL.parse(url) ?? URL.parse(url.replace("@/", "@localhost/"));
  return u?.searchParams.get("host") || u?.host || "localhost";
}

/**
 * A Kafka topic name as the broker takes it (Topic.validate): refused there, it failed the start after connecting with
 * a message about the brokers' addresses.
 */
const topic = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, "a Kafka topic name is 1 to 249 letters, digits, '.', '_' or '-'")
  .refine((t) => t !== "." && t !== "..", "a Kafka topic name cannot be '.' or '..'");

/**
 * A file or directory that must be there: missing, it was refused after connecting as "/x: not found", naming no
 * setting, and the rules and the indicator sets give the same words.
 */
const existing = (what: string) =>
  z
    .string()
    .min(1)
    .refine((path) => existsSync(path), { error: (issue) => `${issue.input as string} does not exist: give the path of ${what}` });

/**
 * What to give for a broker written as a URL or a Kafka listener (http://kafka:9092, SASL_SSL://kafka:9093), which
 * was refused as "a broker is host:port" only, though it held one: the host:port in it, TLS and SASL set apart.
 */
function asURL(broker: string): string {
  const m = /^([a-z][a-z0-9_+.-]*:\/\/)([^\s:/@]+:\d+)\/?$/i.exec(broker);
  return m ? `: give ${m[2]}, without ${m[1]} (TLS and SASL are set by KAFKA_SSL and KAFKA_SASL_MECHANISM)` : "";
}

/** The topics `run` reads or writes, each its own (TOPICS' order: the later of two alike is the one named wrong). */
const TOPICS = ["eventsTopic", "alertsTopic", "deadLetterTopic", "indicatorTopic"] as const;

export const RunConfig = z.strictObject({
  brokers: z
    .string({ error: "KAFKA_BROKERS is not set: give the broker list, e.g. KAFKA_BROKERS=127.0.0.1:9092" })
    .min(1)
    .transform((s) => s.split(",").map((b) => b.trim()).filter(Boolean))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[^\s:]+:\d+$/, { error: (issue) => `a broker is host:port${asURL(issue.input as string)}`, abort: true })
            // one out of range was taken, and the start waited MT_KAFKA_START_WAIT_MS for a broker it cannot reach
            .refine((b) => Number(b.split(":")[1]) >= 1 && Number(b.split(":")[1]) <= 65535, "a broker's port is a number from 1 to 65535"),
        )
        .min(1),
    ),
  databaseUrl: z
    .string({ error: "DATABASE_URL is not set: give a PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/db" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    // as pg reads it (a host may be left out: postgres://user@/db?host=/run/postgresql); refused later, it was an
    // "Invalid URL" stack trace. The value is not repeated: it may hold a password
    .refine((s) => [s, s.replace("@/", "@localhost/")].some((u) => URL.canParse(u)), {
      error: "DATABASE_URL is not a valid URL: percent-encode special characters in the user name and password (@ as %40, # as %23, / as %2F, ? as %3F, : as %3A) and give the port as a number up to 65535",
    }),
  clientId: z.string().min(1).default("moneytrail"),
  groupId: z.string().min(1).default("moneytrail"),
  /** all contract events on one topic, keyed by merchantId, so a merchant's events stay in order */
  eventsTopic: topic.default("mt.merchant-events"),
  alertsTopic: topic.default("mt.alerts"),
  deadLetterTopic: topic.default("mt.dead-letter"),
  rules: existing("the rule-set directory").default(DEFAULT_RULES),
  indicators: existing("the indicator sets (a file, or a directory of them)").optional(),
  /** compacted topic of indicator sets shared by coalition members; every process reads all of it */
  indicatorTopic: topic.default("mt.indicator-sets"),
  /** this member of the coalition, as named in the sightings it sends indicator publishers */
  memberId: z.string().min(1).default("member:local"),
  memberName: z.string().min(1).optional(),
  /** publishers' keys: when set, every indicator set must be signed by a trusted key of its publisher */
  trustStore: existing("the publishers' trust store (a JSON file)").optional(),
  maxMessageBytes: wholeNumber(MIN_MAX_BYTES, MAX_MAX_BYTES).default(DEFAULT_MAX_BYTES),
  /**
   * the most a record batch may decompress to (source/codecs.ts): a larger one, a "gzip bomb" of a few hundred KB or
   * a batch of many events, is refused without being decompressed whole, and its partition held at it
   */
  maxBatchBytes: wholeNumber(MIN_MAX_BYTES, buffer.constants.MAX_LENGTH).default(DEFAULT_MAX_BATCH_BYTES),
  /** an event dated more than this after its message's timestamp is dead-lettered (it would blind its merchant's windows) */
  maxAheadMs: wholeNumber(0).default(DEFAULT_MAX_AHEAD_MS),
  /** events per PostgreSQL transaction at most (a Kafka batch is cut into chunks of this size) */
  commitEvery: wholeNumber(1, 100_000).default(5000),
  /**
   * partitions whose batches are processed at once: the engine runs one chunk at a time either way, but their
   * PostgreSQL commits overlap instead of queueing (at a few thousand events/s most of the time is commit waits)
   */
  concurrentPartitions: wholeNumber(1, 32).default(3),
  /** how often each partition's merchant state is checkpointed (the partitions in turn); after a crash, events since the checkpoint are replayed into state */
  checkpointMs: wholeNumber(100, 600_000).default(5000),
  /** synthetic events run through a throwaway engine before joining the group, so the first real ones meet optimised code; 0: none */
  warmUpEvents: wholeNumber(0, 1_000_000).default(20_000),
  fromBeginning: flag.default(true),
  /** how long the start waits for a broker to answer before giving up with the address to check */
  kafkaStartWaitMs: wholeNumber(0, 3_600_000).default(60_000),
  /**
   * how far (ms of event time) a partition may run ahead of the least advanced other partition with a backlog while
   * a backlog is caught up (app/run/event-time.ts); 0: not at all; unset: no hold. A flag on a partition behind is
   * known before any merchant is evaluated later than it, as in replay, within this much. A hold costs a round trip
   * through PostgreSQL, a pause a fetch too, and a backlog is caught up at days of event time a second: at a second or
   * an hour, run-vs-replay's catch-up (6 partitions, a two-month stream) went a few events a second; at a day,
   * bench:kafka's went at half its pace (run-vs-replay gave replay's alerts all but 0-3 of 642); at a week it gained
   * little (run-vs-replay: 3 extra, 6 differing, against 6 and 10 without the hold) and still cost bench:kafka 10-25%.
   * So it is for a site that wants replay's alerts after a restart more than the catch-up's speed: a day.
   */
  eventTimeSlackMs: wholeNumber(0).optional(),
  /**
   * how long a partition behind in event time may hold the others: one whose owner has not written it for this long
   * (gone before its session timed out, or stuck) is passed over. Above MT_SESSION_TIMEOUT_MS, so that a partition of
   * a member killed holds the others until its new owner takes it on.
   */
  eventTimeMaxStallMs: wholeNumber(1000, 3_600_000).default(60_000),
  /** a consumer silent this long is dropped from the group and its partitions reassigned (broker min 6000) */
  sessionTimeoutMs: wholeNumber(6000, 300_000).default(30_000),
  /**
   * how long a stop waits for PostgreSQL to take the positions and the checkpoint (and to finish the batch in hand)
   * before it goes on without them: with the Kafka steps after it, within the platform's grace period (Kubernetes: 30 s)
   */
  stopPgWaitMs: wholeNumber(1000, 600_000).default(20_000),
  /**
   * how long a connection to PostgreSQL may take to open (or a statement wait for a free one of the pool's): a server
   * that accepts and never answers held a claim without end; 0: no limit
   */
  pgConnectTimeoutMs: wholeNumber(0, 600_000).default(DEFAULT_PG_CONNECT_TIMEOUT_MS),
  /**
   * how long the service waits for PostgreSQL's answer to a statement (the consumer's commits, checkpoints, claims,
   * outbox reads; the reviewers' page): a hung server held a batch without end, the lag growing without an error.
   * Generous, as a large checkpoint or claim is one statement; migrations at start are not bound by it. 0: no limit
   */
  pgQueryTimeoutMs: wholeNumber(0, 3_600_000).default(60_000),
  /** port of the /metrics endpoint; 0 turns it off */
  metricsPort: wholeNumber(0, 65535).default(9464),
  /** 127.0.0.1 keeps /metrics private to the host; a container sets 0.0.0.0 */
  metricsHost: z.string().min(1).default("127.0.0.1"),
  /** port of the reviewers' page and API; 0 turns it off */
  httpPort: wholeNumber(0, 65535).default(8080),
  httpHost: z.string().min(1).default("127.0.0.1"),
  /**
   * addresses (or CIDR ranges) of the reverse proxies that serve the page over TLS: a client's address is then
   * read from X-Forwarded-For (the sign-in throttle counts per client) and the session cookie is HTTPS-only
   */
  trustProxy: z
    .string()
    .transform((s) => s.split(",").map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, "a proxy is an IP address or a CIDR range")).min(1))
    .optional(),
  /** receiver of the new-high-severity-case webhook; unset: no webhook */
  webhookUrl: z
    .url({ protocol: /^https?$/, error: "MT_WEBHOOK_URL must be an http(s) URL" })
    // fetch refuses such a URL, and its error, which repeats the URL, would be logged and stored with every attempt
    .refine((u) => !URL.parse(u)?.username && !URL.parse(u)?.password, "MT_WEBHOOK_URL must not hold a user name or password (user:password@): put the receiver's token in its path or query, which logs never show")
    // fetch fails every delivery to such a port ("bad port"), and the deliveries were given up only hours later
    .refine((u) => !BAD_PORTS.has(URL.parse(u)?.port ?? ""), {
      error: (issue) =>
        `MT_WEBHOOK_URL's port ${URL.parse(issue.input as string)?.port} is one that browsers and fetch refuse to connect to (the fetch standard's "bad ports"), so every delivery would fail: give the receiver another port`,
    })
    .optional(),
  /** HMAC key the receiver verifies signatures with */
  webhookSecret: z.string().min(16, "MT_WEBHOOK_SECRET must be at least 16 characters").optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
});
export type RunConfig = z.infer<typeof RunConfig>;

/** 0.0.0.0 and :: take a port on every address, so it clashes with the same port on any other host setting */
const clash = (a: string, b: string) => a === b || [a, b].some((h) => h === "0.0.0.0" || h === "::");

const WithWebhook = RunConfig.refine((c) => !c.webhookUrl || c.webhookSecret, {
  path: ["webhookSecret"],
  error: "MT_WEBHOOK_URL is set, so MT_WEBHOOK_SECRET is needed to sign the deliveries",
})
  .refine((c) => c.maxBatchBytes >= c.maxMessageBytes, {
    path: ["maxBatchBytes"],
    error: (issue) => {
      const c = issue.input as RunConfig;
      return `${c.maxBatchBytes} is less than MT_MAX_MESSAGE_BYTES (${c.maxMessageBytes}): a batch of one message at that limit could never be read; give at least ${c.maxMessageBytes}`;
    },
  })
  .refine((c) => !c.metricsPort || c.metricsPort !== c.httpPort || !clash(c.metricsHost, c.httpHost), {
    path: ["httpPort"],
    error: "the same port as MT_METRICS_PORT on the same address: give the reviewers' page and /metrics different ports",
  })
  // a dead letter written to the topic it was read from would be read and dead-lettered again without end, and
  // alerts on the events topic dead-lettered as events that fail the schema
  .superRefine((c, ctx) => {
    TOPICS.forEach((key, i) => {
      const first = TOPICS.slice(0, i).find((k) => c[k] === c[key]);
      if (first)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `the same topic (${c[key]}) as ${VARIABLE[first]}: the events, alerts, dead-letter and indicator-set topics must be four different topics`,
        });
    });
  });

/** The environment variables `moneytrail run` reads, and the setting each gives. */
export const ENV: Record<string, keyof z.input<typeof RunConfig>> = {
  KAFKA_BROKERS: "brokers",
  DATABASE_URL: "databaseUrl",
  KAFKA_CLIENT_ID: "clientId",
  MT_GROUP_ID: "groupId",
  MT_EVENTS_TOPIC: "eventsTopic",
  MT_ALERTS_TOPIC: "alertsTopic",
  MT_DEAD_LETTER_TOPIC: "deadLetterTopic",
  MT_RULES: "rules",
  MT_INDICATORS: "indicators",
  MT_TRUST_STORE: "trustStore",
  MT_INDICATOR_TOPIC: "indicatorTopic",
  MT_MEMBER_ID: "memberId",
  MT_MEMBER_NAME: "memberName",
  MT_MAX_MESSAGE_BYTES: "maxMessageBytes",
  MT_MAX_BATCH_BYTES: "maxBatchBytes",
  MT_MAX_AHEAD_MS: "maxAheadMs",
  MT_COMMIT_EVERY: "commitEvery",
  MT_CHECKPOINT_MS: "checkpointMs",
  MT_CONCURRENT_PARTITIONS: "concurrentPartitions",
  MT_WARM_UP_EVENTS: "warmUpEvents",
  MT_FROM_BEGINNING: "fromBeginning",
  MT_KAFKA_START_WAIT_MS: "kafkaStartWaitMs",
  MT_SESSION_TIMEOUT_MS: "sessionTimeoutMs",
  MT_EVENT_TIME_SLACK_MS: "eventTimeSlackMs",
  MT_EVENT_TIME_MAX_STALL_MS: "eventTimeMaxStallMs",
  MT_STOP_PG_WAIT_MS: "stopPgWaitMs",
  MT_PG_CONNECT_TIMEOUT_MS: "pgConnectTimeoutMs",
  MT_PG_QUERY_TIMEOUT_MS: "pgQueryTimeoutMs",
  MT_METRICS_PORT: "metricsPort",
  MT_METRICS_HOST: "metricsHost",
  MT_HTTP_PORT: "httpPort",
  MT_HTTP_HOST: "httpHost",
  MT_TRUST_PROXY: "trustProxy",
  MT_WEBHOOK_URL: "webhookUrl",
  MT_WEBHOOK_SECRET: "webhookSecret",
  LOG_LEVEL: "logLevel",
};

/** The variable that gives each setting. */
const VARIABLE = Object.fromEntries(Object.entries(ENV).map(([n, k]) => [k, n])) as Record<keyof z.input<typeof RunConfig>, string>;

/** Every variable `run` reads: its settings', sign-in's (config/auth.ts) and Kafka's TLS and SASL (config/kafka.ts). */
const KNOWN = new Set([...Object.keys(ENV), ...AUTH_VARIABLES, ...KAFKA_SECURITY_VARIABLES]);

/** The setting's variable a name is a misspelling of (within two edits: LOG_LEVL, KAFKA_CLIENTID, DATABSE_URL), if any. */
function settingLike(name: string): string | undefined {
  if (KNOWN.has(name)) return undefined;
  let best: string | undefined;
  let least = 3;
  for (const known of KNOWN) {
    const d = distance(name, known);
    if (d < least) [best, least] = [known, d];
  }
  return best;
}

/**
 * Variables set that no setting reads: any MT_ one, and one of another name that is a setting's misspelt. A misspelt
 * one (MT_WEBHOOK_URI, LOG_LEVL) would otherwise leave its default in force without a word. MT_TEST_ belongs to the
 * test harness.
 */
export function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => !KNOWN.has(name) && !name.startsWith("MT_TEST_") && (name.startsWith("MT_") || settingLike(name) !== undefined))
    .sort();
}

/** The variables set whose name is a setting's misspelt, each with that setting's variable. */
export function misspeltVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(unknownVariables(env).flatMap((name) => {
    const meant = settingLike(name);
    return meant ? [[name, meant]] : [];
  }));
}

/**
 * One of `run`'s settings in another command (the brokers and topics of produce, indicators publish, backtest --topic
 * and db reset-positions), checked as `run` checks it: the flag's value, else the variable's (empty is unset, as for
 * `run`), else the default. A bad value is refused naming the flag or the variable it came from, before anything
 * connects: unchecked, a broker without a port was "cannot reach Kafka (… NaN)" and a bad topic name a stack trace.
 */
export function setting<K extends keyof RunConfig>(key: K, flag: { name: string; value: string | undefined }): RunConfig[K] {
  const variable = VARIABLE[key];
  const [from, value] = flag.value !== undefined ? [flag.name, flag.value] : [variable, process.env[variable] || undefined];
  const parsed = RunConfig.shape[key].safeParse(value);
  if (parsed.success) return parsed.data as RunConfig[K];
  const reason = parsed.error.issues[0]!.message;
  throw new UsageError(value === undefined ? reason : `${from} ${value}: ${reason}`);
}

/**
 * Environment first, flags on top. Throws a UsageError listing every problem with the variable to set, and the
 * flag too for the settings in `withFlags` (the command's options, by their keys here).
 */
export function runConfig(env: NodeJS.ProcessEnv, flags: Partial<Record<keyof RunConfig, unknown>> = {}, withFlags: ReadonlySet<string> = new Set()): RunConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== "") raw[key] = env[name];
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) raw[k] = v;
  const parsed = WithWebhook.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? "");
    // `run` has flags for some settings, not all: only those are named
    const flag = withFlags.has(key) ? ` (--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)})` : "";
    return `  ${VARIABLE[key as keyof typeof VARIABLE] ?? key}${flag}: ${i.message}`;
  });
  // the setting refused may be one the operator set under a misspelt name ("DATABASE_URL is not set")
  for (const [name, meant] of Object.entries(misspeltVariables(env))) lines.push(`  ${name} is set, which is not a setting: did you mean ${meant}?`);
  throw new UsageError(`configuration is not valid:\n${lines.join("\n")}`);
}
