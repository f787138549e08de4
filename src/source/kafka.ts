// Kafka transport: the client, topic set-up and the consumer. No flagging logic here.
import { setTimeout as sleep } from "node:timers/promises";
// the package's default export for ConfigResourceTypes: Node's reading of kafkajs's CommonJS exports does not name it
import kafkajs, { Kafka, logLevel, type Consumer, type EachBatchPayload, type Admin, type KafkaMessage } from "kafkajs";
import type { Logger } from "../lib/log.js";
import { UnreachableError, UsageError } from "../lib/errors.js";
import { setting } from "../config/run.js";
import { kafkaSecurity } from "../config/kafka.js";
import { DEFAULT_MAX_BATCH_BYTES, MAX_BATCH_BYTES_SETTING, refusedBatch, refusedBatchOffset, registerCodecs } from "./codecs.js";

const CONCURRENT_TRANSACTIONS = "another concurrent operation on the same transaction was ongoing";
/** the broker's words for a coordinator that is not (or not yet) the one to ask */
const COORDINATOR_NOT_HERE = new Set([
  "This is not the correct coordinator for this group",
  "The group coordinator is not available",
  "The coordinator is loading and hence can't process requests for this group",
]);

/**
 * The answers kafkajs (or its caller) deals with, by request: the line kafkajs logs for each is no error, and on a
 * deploy that went well it paged whoever alerts on error lines. Should one never settle, the consumer's, the
 * publisher's or the caller's own failure is logged.
 */
const HANDLED: [request: RegExp, answer: (error: string) => boolean][] = [
  // a transaction's first request while the coordinator completes the previous one: the patched kafkajs retries it
  // within milliseconds
  [/^Response (AddPartitionsToTxn|AddOffsetsToTxn)\b/, (e) => e.includes(CONCURRENT_TRANSACTIONS)],
  // FindCoordinator on a fresh cluster still creating its offsets topic (the first start of every deployment), or
  // while a coordinator moves: kafkajs looks it up again
  [/^Response GroupCoordinator\b/, (e) => e === "The group coordinator is not available"],
  // the transactional producer's start, likewise: every outbox publisher met these on a fresh cluster while the
  // broker created its transaction-state topic, and eosManager retries them (INIT_PRODUCER_RETRIABLE_PROTOCOL_ERRORS)
  [/^Response InitProducerId\b/, (e) => COORDINATOR_NOT_HERE.has(e)],
  // every rebalance (a member joining or leaving: each deploy) answers the members' heartbeats so; kafkajs joins
  // again, and warns that it does
  [/^Response Heartbeat\b/, (e) => e === "The group is rebalancing, so a rejoin is needed"],
  // processes starting together each create the topics missing: kafkajs takes topics another made meanwhile, and
  // throws any other refusal to the caller, which names it
  [/^Response CreateTopics\b/, (e) => e === "Topic creation errors"],
  // a topic just made, asked of a broker that has not taken it up yet: ensureTopics asks again (a first start met
  // some each time); kafkajs's other callers refresh their metadata and retry, or throw it to their caller
  [/^Response (Metadata|ListOffsets)\b/, (e) => e === "This server does not host this topic-partition" || e === "This server is not the leader for that topic-partition"],
];
const handled = (message: string, error: unknown): boolean =>
  typeof error === "string" && HANDLED.some(([request, answer]) => request.test(message) && answer(error));

/**
 * A connection attempt that failed (a broker restarting or away): kafkajs retries it, so each is a warning; one that
 * never succeeds ends in the consumer's own error ("the Kafka consumer stopped on an error") and /readyz's broker check.
 * A broker restart of ten seconds logged some thirty errors.
 */
const connectionRetried = (namespace: string, message: string): boolean =>
  (namespace === "Connection" && (message.startsWith("Connection error: ") || message === "Connection timeout")) ||
  (namespace === "BrokerPool" && message.startsWith("Failed to connect to seed broker, trying another broker from the list: "));

/** A client, with the codecs of codecs.ts: a record batch that decompresses to more than `maxBatchBytes` is refused. */
export function kafkaClient(brokers: string[], clientId: string, log: Logger, maxBatchBytes = DEFAULT_MAX_BATCH_BYTES): Kafka {
  registerCodecs(maxBatchBytes);
  return new Kafka({
    brokers,
    clientId,
    ...kafkaSecurity(),
    logLevel: logLevel.WARN,
    // kafkajs logs through pino, so its lines are JSON like ours
    logCreator: () => (entry) => {
      const { message, ...line } = entry.log;
      // an Error kafkajs hands over as `error` ("Error when calling eachBatch", with its stack beside it) goes as
      // `err`, which pino serialises with its type, message and stack: under another name it was `{name, code}`
      const { error, stack: _stack, ...others } = line;
      const rest = error instanceof Error ? { ...others, err: error } : line;
      // Not our case: a failed outbox send aborts its transaction (invisible to read_committed readers) and the
      // publisher re-reads its published mark before trying again, so bounded retries cannot duplicate.
      if (message.startsWith("Limiting retries for the idempotent producer")) return;
      // a notice about kafkajs 2.0's change of default partitioner: every topic here is written with the new one
      if (message.startsWith("KafkaJS v2.0.0 switched default partitioner")) return;
      const level =
        entry.level === logLevel.ERROR && !handled(message, rest.error)
          ? connectionRetried(entry.namespace, message)
            ? "warn"
            : "error"
          : entry.level === logLevel.WARN
            ? "warn"
            : "debug";
      log[level]({ kafka: entry.namespace, ...rest }, message);
    },
    // a broker restart is ridden out by retrying, not by giving up; a short first wait because most retriable
    // errors clear within milliseconds (the commonest, a transaction coordinator still finishing the previous
    // outbox transaction, is retried sooner still inside the patched kafkajs: patches/kafkajs+2.2.4.patch)
    retry: { initialRetryTime: 50, maxRetryTime: 10_000, retries: 30 },
  });
}

/**
 * Tries the brokers once a second until one answers or `waitMs` has passed (a broker that is still starting is
 * waited for, a wrong address is reported in about that time instead of after the client's minutes of retries).
 * Returns why the last try failed, or undefined once a broker answered. Once `stop` is aborted it throws its reason
 * (a stop asked for meanwhile: nothing to wait for). `failed` is told why each try but the last failed.
 */
export async function brokersAnswer(brokers: string[], clientId: string, waitMs: number, stop?: AbortSignal, failed?: (why: string) => void): Promise<string | undefined> {
  const security = kafkaSecurity();
  const probe = new Kafka({ brokers, clientId, logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...security });
  const deadline = Date.now() + waitMs;
  for (;;) {
    stop?.throwIfAborted();
    const admin = probe.admin();
    try {
      await admin.connect();
      await admin.disconnect();
      return undefined;
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      // a broker that answers and refuses the sign-in will refuse it again: said at once, with what to correct
      if ((err as Error).name === "KafkaJSSASLAuthenticationError")
        throw new UsageError(`Kafka at ${brokers.join(",")} refused the sign-in (${(err as Error).message}): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM`);
      const why = settingToCheck((err as Error).message, Boolean(security.ssl));
      if (Date.now() + 1000 > deadline) return why;
      failed?.(why);
    }
    await sleep(1000, undefined, { signal: stop }).catch(() => undefined);
  }
}

/**
 * Why a try of the brokers failed, with the setting to check where the error tells it: a broker answered at that
 * address, in another protocol than this client's (a PLAINTEXT listener drops a TLS hello; a TLS or SASL listener
 * closes a client that speaks neither), or with a certificate this client cannot check.
 */
function settingToCheck(why: string, tls: boolean): string {
  if (/certificate/i.test(why)) return `${why}: give KAFKA_SSL_CA_FILE, the CA that signed the brokers' certificates`;
  if (tls && /before secure TLS connection was established|wrong version number/i.test(why))
    return `${why}: TLS is on (KAFKA_SSL, a CA or certificate file, or SASL) and the broker did not answer in TLS: give the port of its TLS listener (SSL, SASL_SSL), or for a PLAINTEXT listener leave KAFKA_SSL unset or false, with no CA or certificate file`;
  if (!tls && why === "Closed connection")
    return `${why}: the broker closed the connection of a client without TLS or SASL, as a TLS or SASL listener does: set KAFKA_SSL=true for its TLS (KAFKA_SSL_CA_FILE for a private CA), KAFKA_SASL_* for its sign-in`;
  return why;
}

/**
 * The brokers of a command's --brokers flag, else KAFKA_BROKERS, checked as `run` checks them (host:port); refused
 * with what to give when neither is set.
 */
export function brokersFrom(flag: string | undefined, what = "give the brokers"): string {
  const brokers = flag ?? process.env.KAFKA_BROKERS;
  if (!brokers) throw new UsageError(`${what}: --brokers host:port or KAFKA_BROKERS`);
  return setting("brokers", { name: "--brokers", value: flag }).join(",");
}

/**
 * A client for a command that talks to Kafka once (publish, produce, backtest --topic): a wrong address is said
 * within MT_KAFKA_START_WAIT_MS as `run` reads it (a publish from cron chooses its wait too), else 10 s, not after the
 * client's minutes of retries.
 */
export async function reachableKafka(brokers: string, clientId: string, log: Logger): Promise<Kafka> {
  const list = brokers.split(",");
  // run's default (a minute) is for a service starting beside its broker; a one-shot command says it sooner
  const waitMs = process.env.MT_KAFKA_START_WAIT_MS ? setting("kafkaStartWaitMs", { name: "MT_KAFKA_START_WAIT_MS", value: undefined }) : 10_000;
  const unanswered = await brokersAnswer(list, clientId, waitMs);
  if (unanswered !== undefined) throw new UnreachableError(`cannot reach Kafka at ${brokers} (${unanswered}); is the broker running, and is the address the one it advertises?`);
  // read as run reads it: a backtest of a topic meets the batches run met
  return kafkaClient(list, clientId, log, setting("maxBatchBytes", { name: MAX_BATCH_BYTES_SETTING, value: undefined }));
}

/** Partitions of the topics moneytrail creates: the most consumer processes that can share the events. */
export const TOPIC_PARTITIONS = 6;

/** How long ensureTopics waits for the cluster's metadata to list the topics it created. */
export const TOPICS_LISTED_MS = 30_000;

/**
 * Creates the topics that do not exist yet (the events topic with `partitions` partitions), with `config` if given,
 * and returns once the cluster's metadata lists each with a leader for every partition (see topicsListed).
 */
export async function ensureTopics(admin: Admin, topics: { topic: string; partitions: number; config?: Record<string, string> }[], waitMs = TOPICS_LISTED_MS): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (!missing.length) return;
  // not kafkajs's own wait (waitForLeaders): it takes only LEADER_NOT_AVAILABLE for "not yet", and a KRaft broker
  // learns of a topic a moment after its controller answered, so the wait's first look often met the topic unknown
  // (UNKNOWN_TOPIC_OR_PARTITION) and failed the start
  await admin.createTopics({
    topics: missing.map((t) => ({
      topic: t.topic,
      numPartitions: t.partitions,
      ...(t.config && { configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) }),
    })),
    waitForLeaders: false,
  });
  await topicsListed(admin, missing.map((t) => t.topic), waitMs);
}

/** a broker's answers about a topic the cluster has made but that broker has not taken up yet */
const NOT_TAKEN_UP_YET = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE", "NOT_LEADER_FOR_PARTITION"]);

/**
 * Waits, asking again after a short pause, until the cluster's metadata lists each of `topics` with a leader for
 * every partition and those leaders answer for them: the next step (offsets, a producer's send, a consumer's
 * subscription) asks for them at once. A topic's partitions come into the metadata together with it. After `waitMs`,
 * throws what is still missing.
 */
async function topicsListed(admin: Admin, topics: string[], waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let pause = 100; ; pause = Math.min(2 * pause, 1000)) {
    let lacks: string;
    let asked = "its metadata";
    try {
      const listed = new Map((await admin.fetchTopicMetadata({ topics })).topics.map((t) => [t.name, t.partitions]));
      lacks = topics
        .map((topic) => {
          const partitions = listed.get(topic);
          if (!partitions?.length) return `its metadata does not list ${topic}`;
          const unled = partitions.filter((p) => p.leader < 0).map((p) => p.partitionId);
          return unled.length ? `its metadata lists no leader for partitions ${unled.join(", ")} of ${topic}` : "";
        })
        .filter(Boolean)
        .join(", and ");
      if (!lacks) {
        // a leader is listed a moment before it serves the partition (Kafka 3.9 answered ListOffsets with
        // NOT_LEADER_FOR_PARTITION then): each topic's offsets asked of the leaders of all its partitions
        asked = "a partition's leader";
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
    } catch (err) {
      if (!NOT_TAKEN_UP_YET.has((err as { type?: string }).type ?? "")) throw err;
      lacks = `${asked} still answers "${(err as Error).message}"`;
    }
    if (Date.now() + pause > deadline)
      throw new UnreachableError(
        `Kafka created the topics ${topics.join(", ")}, but ${waitMs / 1000} s later ${lacks}: the brokers have not taken up the new topics (a broker behind its controller, overloaded or restarting, or partitions placed on a broker that is down); check the brokers' logs and \`kafka-topics --describe --topic ${topics[0]}\`, then try again`,
      );
    await sleep(pause);
  }
}

/** The largest record batch a topic takes (its max.message.bytes, the broker's default unless set on the topic). */
export async function maxMessageBytes(admin: Admin, topic: string): Promise<number> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ["max.message.bytes"] }] });
  return Number(resources[0]!.configEntries.find((e) => e.configName === "max.message.bytes")!.configValue);
}

/**
 * The topic's partition count as the cluster has it now: asked of it, not read from the client's metadata, which is
 * refreshed only every few minutes (fetchTopicOffsets would give the count of before partitions were added).
 */
export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]!.partitions.length;
}

/** how often the group's offsets are committed to Kafka, from a batch (Runner.commitKafka) */
export const KAFKA_COMMIT_MS = 5000;

export interface ConsumerHooks {
  /** the partitions of `topic` this member now has, after every rebalance */
  onAssignment(partitions: number[]): void;
  onBatch(payload: EachBatchPayload): Promise<void>;
  /** kafkajs gave up on the consumer; it is started again in `restartMs` unless the process is stopping by then */
  onGaveUp(err: Error, restartMs: number): void;
  /** a partition is held at a record batch that cannot be read (said once per batch; see holdingRefused) */
  onHeld?(held: HeldBatch): void;
  /** whether an operator skipped a refused batch (`moneytrail db skip-batch`): asked only when one is met */
  skipped?: SkippedLookup;
  stopping(): boolean;
}

/** how long after kafkajs gave up the consumer is started again */
const RESTART_MS = 5000;

export async function startConsumer(
  kafka: Kafka,
  o: { groupId: string; topic: string; fromBeginning: boolean; sessionTimeoutMs: number; concurrentPartitions: number; maxWaitTimeInMs?: number },
  hooks: ConsumerHooks,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    rebalanceTimeout: Math.max(o.sessionTimeoutMs, 10_000),
    heartbeatInterval: Math.min(3000, Math.floor(o.sessionTimeoutMs / 3)),
    maxBytesPerPartition: 4 << 20,
    // how long a fetch waits for events on an idle topic: leaving the group on SIGTERM waits for the fetch in flight,
    // which kafkajs's default (5 s) made the longest part of a stop; a fetch a second from an idle member costs nothing
    maxWaitTimeInMs: o.maxWaitTimeInMs ?? 1000,
  });
  const holding = holdingRefused(hooks.onBatch, hooks.onHeld, hooks.skipped);
  heldOf.set(consumer, holding.held);
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const assigned = e.payload.memberAssignment[o.topic] ?? [];
    // another member holds them now
    for (const p of holding.held.keys()) if (!assigned.includes(p)) holding.held.delete(p);
    hooks.onAssignment(assigned);
  });
  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: o.fromBeginning });
    // The positions that count are in PostgreSQL; Kafka's committed offsets only tell a restarted member where to
    // start fetching (earlier events are skipped). kafkajs's autoCommit commits after every batch, one request per
    // batch per partition: most of the broker requests at a steady rate; and it commits the offsets resolved, which
    // pass what PostgreSQL has while it is away. The Runner commits PostgreSQL's positions every KAFKA_COMMIT_MS.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.concurrentPartitions,
      eachBatch: holding.eachBatch,
    });
  };
  // kafkajs leaves the consumer stopped after an error it deems final, such as "Failed to find group coordinator"
  // while the broker restarts. Starting it again is what an operator would do, so the process does it.
  const restartLater = (err: Error) => {
    if (hooks.stopping()) return;
    hooks.onGaveUp(err, RESTART_MS);
    setTimeout(() => {
      if (!hooks.stopping()) start().catch(restartLater);
    }, RESTART_MS);
  };
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) restartLater(e.payload.error);
  });
  await start();
  return consumer;
}

/** A record batch the codecs refused (codecs.ts), where a consumer met it. */
export interface RefusedAt {
  topic: string;
  partition: number;
  /** the batch's first offset */
  offset: string;
  records: number;
  why: string;
}

/** A partition held at a refused batch: nothing from it on is consumed, none skipped unless an operator says so. */
export interface HeldBatch extends RefusedAt {
  /** what the operator can do */
  todo: string;
}

/** An operator's decision to skip a refused batch (`moneytrail db skip-batch`), as recorded. */
export interface SkipDecision {
  /** who ran the command (the OS user) */
  by: string;
  /** when (ISO 8601) */
  at: string;
  reason: string;
}

/** The decision recorded for a refused batch, if any. */
export type SkippedLookup = (batch: RefusedAt) => Promise<SkipDecision | undefined>;

/** The stand-in records of a skipped batch, handed on: why each is dead-lettered (see skippedReason). */
const skippedRecords = new WeakMap<KafkaMessage, string>();

/**
 * Why a record handed on by holdingRefused stands for a batch an operator skipped: the codec's why and the
 * operator's reason, for its dead letter. Undefined for any other record; only a record without a value can be one.
 */
export function skippedReason(m: KafkaMessage): string | undefined {
  return skippedRecords.get(m);
}

/** Why the records of a batch an operator skipped are dead-lettered: the codec's why and the operator's decision. */
export function skippedWhy(b: RefusedAt, d: SkipDecision): string {
  return `unreadable batch: a record batch of ${b.records} records at offset ${b.offset} of ${b.topic}[${b.partition}] cannot be read (${b.why}); skipped by ${d.by} at ${d.at} (moneytrail db skip-batch): ${d.reason}`;
}

/** how often a held partition is fetched again: the batch is decompressed again (up to the bound) each time */
export const HOLD_RECHECK_MS = 30_000;

const heldOf = new WeakMap<Consumer, Map<number, HeldBatch>>();

/** The partitions a consumer of startConsumer holds at a refused batch now. */
export function heldBatches(consumer: Consumer | undefined): HeldBatch[] {
  return [...((consumer && heldOf.get(consumer)?.values()) ?? [])];
}

/**
 * Wraps a consumer's eachBatch: the records before a refused batch are handed on, then
 * its partition is paused and fetched again every HOLD_RECHECK_MS (what was handed on may have sought back; a batch
 * refused again is not said again). Unpaused, kafkajs fetched the batch again at once, without end. `held`: the
 * partitions held now, by partition; one is no longer held once a batch of it comes without the refused one.
 * A refused batch that `skipped` says an operator skipped is handed on instead, its records without their marks and
 * each with why (skippedReason); asked each time one is met, a running consumer takes a decision at the next recheck.
 */
export function holdingRefused(
  eachBatch: (payload: EachBatchPayload) => Promise<void>,
  onHeld?: (held: HeldBatch) => void,
  skipped?: SkippedLookup,
): { eachBatch: (payload: EachBatchPayload) => Promise<void>; held: Map<number, HeldBatch> } {
  const held = new Map<number, HeldBatch>();
  const said = new Map<number, string>();
  return {
    held,
    eachBatch: async (payload) => {
      const { batch } = payload;
      let at = batch.messages.findIndex((m) => refusedBatch(m));
      if (at < 0) {
        held.delete(batch.partition);
        return eachBatch(payload);
      }
      const messages = batch.messages.slice();
      let refused: RefusedAt | undefined;
      // the refused batches an operator skipped, in turn, up to one that is not (or the fetch's end)
      for (; at >= 0; at = messages.findIndex((m, i) => i > at && refusedBatch(m))) {
        refused = { topic: batch.topic, partition: batch.partition, offset: refusedBatchOffset(messages[at]!)!, ...refusedBatch(messages[at]!)! };
        const decision = skipped && (await skipped(refused));
        if (!decision) break;
        const why = skippedWhy(refused, decision);
        for (let i = at; i < messages.length && refusedBatchOffset(messages[i]!) === refused.offset; i++) {
          // the mark is this process's own: it does not go into a dead letter
          const m = (messages[i] = { ...messages[i]!, headers: {} } as KafkaMessage);
          skippedRecords.set(m, why);
        }
      }
      if (at < 0) {
        held.delete(batch.partition);
        return eachBatch({ ...payload, batch: Object.create(batch, { messages: { value: messages } }) });
      }
      if (at > 0) await eachBatch({ ...payload, batch: Object.create(batch, { messages: { value: messages.slice(0, at) } }) });
      const h: HeldBatch = {
        ...refused!,
        todo: `nothing of the partition from this batch on is consumed (none is skipped: it is fetched again every ${HOLD_RECHECK_MS / 1000} s). A batch its producer meant (many records at once): raise ${MAX_BATCH_BYTES_SETTING} above what it decompresses to, and restart. One that is not (data its codec cannot read, or a hostile batch): stop its producer, then skip it: \`moneytrail db skip-batch --topic ${batch.topic} --partition ${batch.partition} --offset ${refused!.offset} --reason "…"\` (its records are dead-lettered, on the indicator topic refused as sets; consumers held at it take it within ${HOLD_RECHECK_MS / 1000} s)`,
      };
      held.set(batch.partition, h);
      if (said.get(batch.partition) !== h.offset) {
        said.set(batch.partition, h.offset);
        onHeld?.(h);
      }
      const resume = payload.pause();
      setTimeout(resume, HOLD_RECHECK_MS).unref();
    },
  };
}
