// `moneytrail run`: the Kafka consumer as the product's main job. One event's way: Kafka -> decode ->
// engine (state, rules, score) -> for a chunk with outputs, one PostgreSQL transaction (position, alerts, cases,
// outbox; a chunk without any has its position saved within a second) -> the outbox publisher (alerts topic,
// dead-letter topic), exactly once. Merchant state is checkpointed apart, a partition at a time, every few seconds.
// This file is that way, from the consumer's batch to the commit (onBatch, takeBatch, processBatch), and the start
// and stop around it; its parts are in run/: partitions.ts (claims, fencing, refusals, publishers), commits.ts
// (outputs and positions to PostgreSQL), checkpoints.ts, notices.ts (flag notices across processes, closed
// accounts), serving.ts (readiness, metrics, the reviewers' page).
import pg from "pg";
import type { Consumer, EachBatchPayload, Kafka, Admin } from "kafkajs";
import { databaseWhere, type RunConfig } from "../config/run.js";
import { after, saysFailure } from "../lib/failure-run.js";
import { kafkaSecurity } from "../config/kafka.js";
import { decodeMessage, type AheadLimit, type Decoded } from "../decode/decode.js";
import type { Alert, Event, EventType } from "../decode/events.js";
import type { TextField } from "../decode/card-numbers.js";
import { Engine } from "../engine.js";
import type { RuleSet } from "../rules/ruleset.js";
import { RuleSetWatcher, type RulesStatus } from "../rules/reload.js";
import { filesOf, recordVersion } from "../rules/history.js";
import { indexSets, type IndicatorIndex } from "../indicators/index.js";
import { sampleTrustWarning, watchTrustStore, type TrustStore } from "../indicators/sign.js";
import { IndicatorSubscriber, ensureIndicatorTopic } from "../indicators/distribution.js";
import { pgVersionFloor } from "../indicators/versions.js";
import type { IndicatorSet } from "../indicators/schema.js";
import { PgStore, FencedError, FLAGS_START, skippedBatch, type OutboxMessage, type OutboxRow, type RecordMark } from "../sinks/postgres/store.js";
import { migrate, migratedAhead } from "../sinks/postgres/migrations.js";
import { KAFKA_COMMIT_MS, TOPIC_PARTITIONS, brokersAnswer, ensureTopics, heldBatches, kafkaClient, maxMessageBytes, partitionCount, skippedReason, startConsumer, type SkippedLookup } from "../source/kafka.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { warmUp } from "./warm-up.js";
import { loadFiles, type Loaded } from "./run/loading.js";
import { madeTopics, runTopics, typoWarning } from "./run/topics.js";
import { auditUnprotected, connectFailure, pgOptions, pgTimedOut, poolDb, type Db } from "../cases/db.js";
import type { Logger } from "../lib/log.js";
import { UnreachableError } from "../lib/errors.js";
import { within } from "../lib/within.js";
import type { RunContext } from "./run/context.js";
import { Partitions, lagOf, type Owned } from "./run/partitions.js";
import { Commits, POSITION_SAVE_MS, alertMessage } from "./run/commits.js";
import { Checkpoints } from "./run/checkpoints.js";
import { parseTime } from "../lib/time.js";
import { Notices, TERMINATED_READ_MS, type Raised } from "./run/notices.js";
import { Probes, Serving, checkAddresses } from "./run/serving.js";
import { EVENT_TIME_FETCH_WAIT_MS, EventTime } from "./run/event-time.js";
import { FAILURES_SAID_EVERY, Retried } from "./run/retried.js";

// exported from here as before the parts moved to run/ (the CLI and the tests import from this file)
export { REFUSED_RECHECK_MS } from "./run/partitions.js";
export { TERMINATED_READ_MS } from "./run/notices.js";

/** A record of a batch the codecs refused and an operator skipped (source/kafka.ts's skippedReason): dead-lettered. */
type Unreadable = { ok: false; kind: "unreadable-batch"; reason: string };

/** How long a partition whose batch could not be claimed or committed waits before it is fetched again. */
const FETCH_AGAIN_MS = 1000;

/**
 * How long each Kafka step of a stop waits, once PostgreSQL is saved: a broker that does not answer holds a step for
 * kafkajs's timeouts and retries (minutes in all), longer than a grace period (Kubernetes: 30 s) before SIGKILL.
 */
const STOP_KAFKA_MS = 5000;
/** what a dead letter adds to its message at most: the mt-* headers (a reason is a few hundred bytes) */
const DEAD_LETTER_ROOM = 64 * 1024;

/**
 * A stop (SIGTERM, Ctrl-C) during the start's long steps, the wait for Kafka or the warm-up, which it ends at once:
 * nothing had joined the consumer group, nothing to save. `message` says where the start was.
 */
export class StartStopped extends Error {}

/** `err`, or StartStopped at `where` when it is `stop`'s reason (a step that `stop` ended). */
const stoppedAt = (stop: AbortSignal | undefined, err: unknown, where: string): unknown => (stop?.aborted && err === stop.reason ? new StartStopped(where) : err);

/** A record as a claim compares it: its timestamp and key, in words for the log (keys are merchant ids). */
const describeRecord = (r: RecordMark): string => `offset ${r.offset}, written ${new Date(Number(r.timestamp)).toISOString()}, key ${r.key === null ? "none" : JSON.stringify(r.key.toString())}`;

export class Runner {
  readonly metrics: Metrics;
  readonly engine: Engine;
  private consumer?: Consumer;
  private readonly rules: RuleSetWatcher;
  private readonly trust?: TrustStore;
  private stopTrustWatch?: () => void;
  /** the case store, rule history and webhook queue, on the consumer's pool */
  private readonly db: Db;
  private readonly subscriber: IndicatorSubscriber;
  /** how many sets the subscriber last said were missing */
  private missingSets = 0;
  /** the partitions held, their merchants and publishers, and those refused (partitions.ts) */
  private readonly partitions: Partitions;
  /** their writes to PostgreSQL: outputs, positions (commits.ts) */
  private readonly commits: Commits;
  /** their merchants' state, checkpointed in turn (checkpoints.ts) */
  private readonly checkpoints: Checkpoints;
  /** flag notices across processes and the merchants whose account was closed (notices.ts) */
  private readonly notices: Notices;
  /** partitions held to the least advanced one's event time while a backlog is caught up (event-time.ts) */
  private readonly eventTime: EventTime;
  /** readiness, metrics, the reviewers' page and the webhook (serving.ts) */
  private readonly serving: Serving;
  /** when an event's card number was last logged (cardNumbersTruncated) */
  private cardNumbersSaidAt = 0;
  /** how far an event may be dated ahead: of its message's timestamp, or of this consumer's clock when earlier */
  private readonly aheadOfStamp: AheadLimit;
  private readonly aheadOfClock: AheadLimit;
  private stopping?: Promise<void>;
  /** when the group's Kafka offsets were last committed (commitKafka) */
  private kafkaCommittedAt = Date.now();
  private sampled = 0;
  private joined = false;
  private assigned: number[] = [];
  private readonly claimsRetried = new Retried("warn", "a partition could not be claimed (PostgreSQL or the broker did not answer); its batch is fetched again in a second", "partitions are claimed again");
  private readonly positionTimer = setInterval(() => {
    void this.commits.savePositions();
    void this.notices.pollFlags();
    this.checkpointQuiet();
  }, POSITION_SAVE_MS).unref();
  private readonly terminatedTimer = setInterval(() => void this.notices.readTerminated(), TERMINATED_READ_MS).unref();
  /** batches being processed (onBatch), which stop() waits for */
  private readonly inFlight = new Set<Promise<void>>();
  /** called when stop() begins: ends a batch's wait on Kafka (untilStop) */
  private stopBegun!: () => void;
  private readonly stopSignal = new Promise<void>((resolve) => (this.stopBegun = resolve));
  /** called when a stop gives PostgreSQL up (MT_STOP_PG_WAIT_MS): ends kafkajs's wait for a batch hung on it, so the group is left */
  private pgGivenUp!: () => void;
  private readonly pgGaveUp = new Promise<void>((resolve) => (this.pgGivenUp = resolve));

  private constructor(
    readonly cfg: RunConfig,
    private readonly log: Logger,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly pool: pg.Pool,
    private readonly store: PgStore,
    /** the metrics port, listening since the start began (serving.ts) */
    private readonly probes: Probes,
    { trust, sets, indicators, ruleSet }: Loaded,
  ) {
    this.metrics = probes.metrics;
    this.db = poolDb(pool);
    this.aheadOfStamp = { maxAheadMs: cfg.maxAheadMs, reference: "the message's timestamp", setting: "MT_MAX_AHEAD_MS" };
    this.aheadOfClock = { maxAheadMs: cfg.maxAheadMs, reference: "this consumer's clock, earlier than its message's timestamp", setting: "MT_MAX_AHEAD_MS" };
    this.trust = trust;
    if (!cfg.trustStore) log.warn("indicator sets are taken without checking signatures: set MT_TRUST_STORE to the publishers' keys");
    // said to every run on it: the demo starts no `run`, and tests that do on purpose log at fatal
    const sample = cfg.trustStore && sampleTrustWarning(cfg.trustStore);
    if (sample) log.warn({ file: cfg.trustStore }, sample);
    this.subscriber = new IndicatorSubscriber(
      {
        kafka,
        topic: cfg.indicatorTopic,
        trust: this.trust,
        skipped: this.skippedLookup(),
        floor: pgVersionFloor(this.db, (err) => log.error({ err: err.message }, "could not record the indicator sets' versions in force; recorded with the next change")),
        onChange: (all) => this.putIndicatorsInForce(all),
        onRefused: (setId, reason, kind, at) => {
          this.metrics.indicatorRefusals.inc({ reason: kind });
          log.error({ set: setId, refused: reason, ...at }, "indicator set from the topic refused; the sets in force stay");
        },
        onMissing: (missing) => {
          this.metrics.indicatorSetsMissing.reset();
          for (const m of missing) this.metrics.indicatorSetsMissing.set({ publisher: m.publisher, set: m.setId }, 1);
          if (missing.length)
            log.error(
              { missing, topic: cfg.indicatorTopic },
              "indicator sets in force before this process started are not in force now: the topic no longer holds their release (a tombstone or another message under a set's key erases it at compaction) or refused it (logged above), and their entries do not match here; ask each publisher to publish its set again (moneytrail indicators publish), or put it in MT_INDICATORS",
            );
          else if (this.missingSets) log.info("every indicator set in force before this process started is in force again");
          this.missingSets = missing.length;
        },
        onRedLeft: (set, before, red) =>
          log.warn(
            { set: set.id, publisher: set.publisher.id, version: set.version, replaced: before.version, red },
            "indicator set taken from the topic without TLP:RED entries of the version it replaces (they never travel), which no longer match here: put the full version of the set in MT_INDICATORS and restart",
          ),
      },
      sets,
    );
    this.engine = new Engine(ruleSet, indicators, true, true);
    const ctx: RunContext = { cfg, log, kafka, admin, pool, store, db: this.db, engine: this.engine, metrics: this.metrics };
    this.partitions = new Partitions(ctx, {
      consumer: () => this.consumer,
      stopSignal: this.stopSignal,
      checkpoint: (partitions) => this.checkpoints.checkpoint(partitions),
      claimed: () => this.notices.claimed(),
      released: () => this.notices.readAgain(),
    });
    this.commits = new Commits(ctx, this.partitions);
    this.checkpoints = new Checkpoints(ctx, this.partitions, this.commits);
    this.eventTime = new EventTime(ctx, this.partitions, () => this.eventTimeRound());
    this.notices = new Notices(ctx, this.partitions, this.commits, this.eventTime, { joined: () => this.joined, stopping: () => this.stopping !== undefined });
    this.serving = new Serving(ctx, this.partitions, this.commits, {
      consumer: () => this.consumer,
      joined: () => this.joined,
      assigned: () => this.assigned,
      rulesStatus: () => this.rules.status,
    }, probes);
    this.engine.beforeChange = (id) => this.checkpoints.beforeChange(id);
    // A peer on another partition than the flagged merchant's is linked from the flag's committed notice, in its
    // own partition's transaction (pollFlags): linked at once, its new state could outlive the flagging chunk's
    // failed commit, and its alert, carried by that chunk, would never be raised again.
    this.engine.linksAtOnce = (peer) => this.partitions.partitionOf.get(peer) === this.partitions.inHand;
    // Partitions run apart in event time (a backlog: days apart): a flag counts for a merchant's events from its own
    // time on, as in replay; one ahead of the event is linked from its notice at its time (takeAhead, applyTriggers).
    this.engine.infra.timed = true;
    this.setRuleSetGauge(this.engine.ruleSet);
    this.metrics.partitionsStopped.from = () => [
      ...heldBatches(this.consumer).map((h) => ({ partition: h.partition, reason: "unreadable-batch" as const })),
      ...[...this.partitions.refused.keys()].map((partition) => ({ partition, reason: "positions" as const })),
    ];
    this.setIndicatorGauges(indicators);
    this.rules = new RuleSetWatcher({
      dir: cfg.rules,
      current: this.engine.ruleSet,
      onChange: (rs) => this.putInForce(rs),
      onRefused: (message) => {
        this.metrics.rulesReloads.inc({ result: "refused" });
        log.error({ refused: message }, "rule-set change refused; the set in force stays: fix the files and save again");
      },
    });
  }

  /** `stop`: aborted during the wait for Kafka or the warm-up, the start ends there, throwing StartStopped (nothing has joined then). */
  static async start(cfg: RunConfig, log: Logger, stop?: AbortSignal): Promise<Runner> {
    // Kafka's TLS and SASL settings are read by each client made; a wrong one is refused here, before anything connects
    kafkaSecurity();
    // the metrics port first: a liveness probe finds the process alive while the start waits (for Kafka: up to an
    // hour), /readyz says for what, and a port another process holds is refused before anything connects
    const probes = new Probes(createMetrics());
    probes.starting("loading", "reading the rule set (MT_RULES), the indicator sets (MT_INDICATORS) and the trust store (MT_TRUST_STORE)");
    // the reviewers' page listens once the consumer is up: its address is refused now if it could not, with the
    // metrics port's (nothing to close yet)
    await checkAddresses(cfg);
    await probes.listen(cfg, log);
    // a connection per partition committing at once, and the checkpoint, outbox publishers and web page beside them
    const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: cfg.concurrentPartitions + 3, ...pgOptions(cfg.pgConnectTimeoutMs, cfg.pgQueryTimeoutMs) });
    // an idle connection the server closes (restart, failover) must not take the process down; the next query reconnects
    pool.on("error", (err) => log.warn({ err: err.message }, "idle PostgreSQL connection lost"));
    let admin: Admin | undefined;
    let runner: Runner | undefined;
    try {
      // the files before anything connects: one refused is said at once, not after the wait for Kafka, with no table
      // migrated and no topic made for a start that could not run
      const loaded = await loadFiles(cfg);
      probes.starting("database", `connecting to PostgreSQL at ${databaseWhere(cfg.databaseUrl)} (DATABASE_URL) and migrating its tables`);
      // migrations on a connection of their own, without the statement timeout: one may rightly take long
      const client = new pg.Client({ connectionString: cfg.databaseUrl, ...pgOptions(cfg.pgConnectTimeoutMs) });
      client.on("error", () => undefined);
      await client.connect().catch((err: Error) => {
        void client.end().catch(() => undefined);
        throw connectFailure(err, "DATABASE_URL");
      });
      try {
        const applied = await migrate(client);
        if (applied) log.info({ applied }, "database migrated");
        const ahead = await migratedAhead(client);
        if (ahead) log.warn(ahead);
        const unprotected = await auditUnprotected(client);
        if (unprotected) log.warn(unprotected);
      } finally {
        await client.end().catch(() => undefined);
      }
      log.info({ brokers: cfg.brokers, waitMs: cfg.kafkaStartWaitMs }, "connecting to Kafka");
      const waiting = `waiting for Kafka at KAFKA_BROKERS ${cfg.brokers.join(",")} (since ${new Date().toISOString()}, up to ${cfg.kafkaStartWaitMs / 1000} s: MT_KAFKA_START_WAIT_MS)`;
      probes.starting("kafka", waiting);
      const unanswered = await brokersAnswer(cfg.brokers, cfg.clientId, cfg.kafkaStartWaitMs, stop, (why) => probes.starting("kafka", `${waiting}; last try: ${why}`)).catch((err: unknown) => {
        throw stoppedAt(stop, err, `before Kafka at KAFKA_BROKERS ${cfg.brokers.join(",")} answered`);
      });
      if (unanswered !== undefined)
        throw new UnreachableError(
          `cannot reach Kafka at KAFKA_BROKERS ${cfg.brokers.join(",")} within ${cfg.kafkaStartWaitMs / 1000} s (${unanswered}); is the broker running, and is the address the one it advertises? (MT_KAFKA_START_WAIT_MS sets the wait)`,
        );
      probes.starting("topics", `Kafka answered; checking the topics ${cfg.eventsTopic}, ${cfg.alertsTopic} and ${cfg.deadLetterTopic}, creating those it does not have`);
      const kafka = kafkaClient(cfg.brokers, cfg.clientId, log, cfg.maxBatchBytes);
      admin = kafka.admin();
      const connected = admin;
      // the topics there before: those the start makes are named in the log (madeTopics)
      let had: string[] = [];
      await connected
        .connect()
        .then(async () => {
          had = await connected.listTopics();
          await ensureTopics(connected, [
            { topic: cfg.eventsTopic, partitions: TOPIC_PARTITIONS },
            { topic: cfg.alertsTopic, partitions: TOPIC_PARTITIONS },
          ]);
          // a dead letter is its message plus the mt-* headers: a dead-letter topic that took no more than the events
          // topic would refuse the dead letter of a message near that limit, and hold up the partition's outbox behind it
          // (a cluster that does not let this client read topic configurations gets the broker's default, as before)
          const events = await maxMessageBytes(connected, cfg.eventsTopic).catch(() => undefined);
          const room = events && events + DEAD_LETTER_ROOM;
          await ensureTopics(connected, [{ topic: cfg.deadLetterTopic, partitions: TOPIC_PARTITIONS, ...(room && { config: { "max.message.bytes": String(room) } }) }]);
          const takes = room && (await maxMessageBytes(connected, cfg.deadLetterTopic).catch(() => undefined));
          if (room && takes && takes < room)
            log.warn(
              { topic: cfg.deadLetterTopic, maxMessageBytes: takes, needed: room },
              `the dead-letter topic takes messages of up to ${takes} bytes, less than the events topic's limit with room for the dead letter's headers (${room}): the dead letter of a message near that limit would wait in the outbox with the partition's alerts behind it; raise it: kafka-configs --alter --entity-type topics --entity-name ${cfg.deadLetterTopic} --add-config max.message.bytes=${room}`,
            );
        })
        .catch((err: Error) => {
          // ensureTopics' own words (topics made but not taken up in time) say what to check
          if (err instanceof UnreachableError) throw err;
          throw new UnreachableError(`Kafka at KAFKA_BROKERS ${cfg.brokers.join(",")} answered, then failed (${err.message}); can this host reach the addresses the brokers advertise (advertised.listeners)?`);
        });
      probes.starting("loading", "warming up (MT_WARM_UP_EVENTS), starting the reviewers' page");
      runner = new Runner(cfg, log, kafka, connected, pool, new PgStore(pool, cfg.groupId, Boolean(cfg.webhookUrl)), probes, loaded);
      await runner.begin(had, stop);
      probes.started();
      return runner;
    } catch (err) {
      // whatever was opened is closed, so the process ends with the error instead of hanging on its connections
      if (runner) await runner.stop().catch(() => undefined);
      else {
        await admin?.disconnect().catch(() => undefined);
        await pool.end().catch(() => undefined);
        await probes.close().catch(() => undefined);
      }
      throw err;
    }
  }

  /** From a constructed runner to a member of the consumer group. `had`: the topics the cluster had before the start made any. */
  private async begin(had: string[], stop?: AbortSignal): Promise<void> {
    const { cfg, log } = this;
    const warm = await warmUp(this.engine.ruleSet, this.engine.indicators, cfg.warmUpEvents, cfg.maxMessageBytes, stop).catch((err: unknown) => {
      throw stoppedAt(stop, err, "while it warmed up on synthetic events (MT_WARM_UP_EVENTS), after Kafka answered");
    });
    log.info(warm, "warmed up on synthetic events");
    log.info({ ruleSet: this.engine.ruleSet.id, version: this.engine.ruleSet.version, topic: cfg.eventsTopic, group: cfg.groupId }, "rule set loaded; joining the consumer group");
    await this.serving.serveReviewers();
    // in force before the first batch: a partition's merchants are restored flagged if their account was closed
    await this.notices.readTerminated();
    this.rules.start();
    // a key added, rotated or revoked in MT_TRUST_STORE counts without a restart: sets in force that no longer verify
    // are withdrawn, refused ones that verify now are taken
    const trusted = (store: TrustStore) =>
      this.subscriber
        .retrust(store)
        .then((changed) => log.warn({ file: cfg.trustStore, keys: store.keys.length, ...changed }, "trust store changed: its keys are in force"))
        .catch((err: Error) => log.error({ err: err.message }, "trust store change not put in force"));
    if (cfg.trustStore)
      this.stopTrustWatch = watchTrustStore(cfg.trustStore, {
        onChange: (store) => void trusted(store),
        onRefused: (err) => log.error({ refused: err.message }, "trust store change refused; the keys in force stay"),
      });
    this.probes.starting("indicator-topic", `reading the indicator sets on ${cfg.indicatorTopic} (MT_INDICATOR_TOPIC)`);
    await ensureIndicatorTopic(this.admin, cfg.indicatorTopic);
    for (const made of madeTopics(runTopics(cfg), had)) {
      if (made.meant) log.warn({ topic: made.topic, setting: made.setting, meant: made.meant }, typoWarning(made, made.meant));
      else log.info({ topic: made.topic, setting: made.setting }, `created the topic ${made.topic} (${made.setting}): it did not exist`);
    }
    await this.subscriber.start();
    this.probes.starting("group", `joining the consumer group ${cfg.groupId} (MT_GROUP_ID) on ${cfg.eventsTopic}`);
    this.consumer = await startConsumer(
      this.kafka,
      {
        groupId: cfg.groupId,
        topic: cfg.eventsTopic,
        fromBeginning: cfg.fromBeginning,
        sessionTimeoutMs: cfg.sessionTimeoutMs,
        concurrentPartitions: cfg.concurrentPartitions,
        maxWaitTimeInMs: cfg.eventTimeSlackMs === undefined ? undefined : EVENT_TIME_FETCH_WAIT_MS,
      },
      {
        onAssignment: (ps) => this.onAssignment(ps),
        onBatch: (b) => this.onBatch(b),
        onGaveUp: (err, ms) => log.error({ err: err.message, restartInMs: ms }, "the Kafka consumer stopped on an error; starting it again"),
        onHeld: (h) => log.error({ topic: h.topic, partition: h.partition, offset: h.offset, records: h.records, refused: h.why }, `a record batch of ${h.records} records at offset ${h.offset} of ${h.topic}[${h.partition}] cannot be read: ${h.why}; ${h.todo}`),
        skipped: this.skippedLookup(),
        stopping: () => this.stopping !== undefined,
      },
    );
    // kafkajs disconnects a consumer that crashed before it (or startConsumer) starts it again: out of the group, and
    // not ready, until it has joined again
    this.consumer.on(this.consumer.events.CRASH, () => (this.joined = false));
    // those of MT_INDICATORS were named nowhere else (a set taken from the topic is logged as it comes)
    log.info({ group: cfg.groupId, indicatorSets: this.engine.indicators.sets }, "consuming");
  }

  /**
   * Whether an operator skipped a refused batch (mt_skipped_batches), said when one is; a lookup that fails holds
   * the partition, asked again at its recheck.
   */
  private skippedLookup(): SkippedLookup {
    return async (b) => {
      try {
        const d = await skippedBatch(this.pool, b.topic, b.partition, b.offset);
        if (d)
          this.log.warn(
            { topic: b.topic, partition: b.partition, offset: b.offset, records: b.records, refused: b.why, skippedBy: d.by, skippedAt: d.at, reason: d.reason },
            `a record batch of ${b.records} records at offset ${b.offset} of ${b.topic}[${b.partition}] that cannot be read is skipped, as ${d.by} decided at ${d.at} (${d.reason}): ${b.topic === this.cfg.eventsTopic ? "its records are dead-lettered" : "its records are refused as indicator sets"}`,
          );
        return d;
      } catch (err) {
        this.log.warn({ topic: b.topic, partition: b.partition, offset: b.offset, err: (err as Error).message }, "whether a refused record batch was skipped could not be read from PostgreSQL; the partition stays held, asked again at its recheck");
        return undefined;
      }
    };
  }

  private setRuleSetGauge(rs: RuleSet): void {
    this.metrics.ruleSet.reset();
    this.metrics.ruleSet.set({ id: rs.id, version: rs.version }, 1);
  }

  private setIndicatorGauges(ix: IndicatorIndex): void {
    this.metrics.indicatorSets.reset();
    for (const s of ix.sets) this.metrics.indicatorSets.set({ set: s.id, source: s.source, version: String(s.version) }, s.entries);
  }

  /** A newer version of a set arrived on the topic: a new index, in force from the next event. */
  private putIndicatorsInForce(sets: IndicatorSet[]): void {
    const ix = indexSets(sets);
    // merchants flagged only on entries revoked or left out are unflagged now (engine.recheckFlag): their notices
    this.engine.replaceIndicators(ix);
    this.notices.holdNotices();
    this.setIndicatorGauges(ix);
    this.log.info({ sets: ix.sets }, "indicator sets in force");
  }

  /** The indicator sets in force: id, publisher, version, entries. */
  get indicatorSets(): IndicatorIndex["sets"] {
    return this.engine.indicators.sets;
  }

  /** The rule set in force and the latest refused change. */
  get rulesStatus(): RulesStatus {
    return this.rules.status;
  }

  /** A new rule set, between two chunks (this runs between awaits, never inside a chunk's loop). */
  private putInForce(rs: RuleSet): void {
    const before = this.engine.ruleSet.version;
    // it changes merchants without an event (slots, signals, flags): a checkpoint being serialised writes those it
    // has not written yet first, as an event's beforeChange has it, so that each row is the state at its offset
    this.checkpoints.serialisePending();
    this.engine.replaceRuleSet(rs);
    this.notices.holdNotices();
    this.setRuleSetGauge(rs);
    this.metrics.rulesReloads.inc({ result: "accepted" });
    this.log.info({ before, version: rs.version }, "rule set reloaded");
    void recordVersion(this.db, rs, filesOf(rs), "directory", "directory").catch((err: Error) => this.log.warn({ err: err.message }, "rule version not recorded"));
  }

  /** Ready: the broker and the database answer, this member is in the group, a rule set is in force (serving.ts). */
  readiness(): ReturnType<Serving["readiness"]> {
    return this.serving.readiness();
  }

  private onAssignment(partitions: number[]): void {
    this.joined = true;
    this.assigned = partitions;
    this.log.info({ partitions }, "partitions assigned");
    this.notices.flagsRead = FLAGS_START;
    for (const p of [...this.partitions.owned.keys()]) if (!partitions.includes(p)) void this.partitions.release(p, true);
    for (const [p, publisher] of this.partitions.unclaimed)
      if (!partitions.includes(p)) {
        this.partitions.unclaimed.delete(p);
        void this.partitions.stopPublisher(p, publisher);
      }
    if (!this.stopping) for (const p of partitions) if (!this.partitions.owned.has(p) && !this.partitions.unclaimed.has(p)) this.partitions.unclaimed.set(p, this.partitions.startPublisher(p));
    // at their end, no batch would claim them (claimAtAssignment)
    if (!this.stopping) for (const p of partitions) this.partitions.claimAtAssignment(p, () => !this.stopping && this.assigned.includes(p));
    for (const o of this.partitions.owned.values()) o.recount = true;
    this.commits.keepOnly(partitions);
    this.partitions.stopClaimRetries(partitions);
    // another member checks them now
    for (const p of [...this.partitions.refused.keys()]) if (!partitions.includes(p)) this.partitions.unrefuse(p);
  }

  /**
   * A batch delivered once stop() began is left alone, its offsets unresolved: stop() saves what was processed
   * before it, and no batch may be processed after that save. The others are tracked for stop() to wait for.
   */
  private onBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const batch = this.takeBatch(payload).finally(() => this.inFlight.delete(batch));
    this.inFlight.add(batch);
    // kafkajs leaves the group only once the batch in hand is done
    return Promise.race([batch, this.pgGaveUp]);
  }

  private async takeBatch(payload: EachBatchPayload): Promise<void> {
    const p = payload.batch.partition;
    let owned: Owned | undefined;
    // triggers being committed finish first (they may begin while a claim is awaited)
    for (;;) {
      // fetched before the pause took effect, or by a consumer restarted since: left unresolved, fetched again to be
      // claimed again
      if (this.partitions.refused.get(p)?.again === false) {
        payload.pause();
        return;
      }
      // claimed at assignment meanwhile, or not (no positions in PostgreSQL yet, or it failed): looked at again
      const claiming = this.partitions.owned.has(p) ? undefined : this.partitions.claiming.get(p);
      if (claiming) {
        await claiming;
        continue;
      }
      owned =
        this.partitions.owned.get(p) ??
        (await this.partitions.shared(p, this.partitions.claim(p, payload.batch.firstOffset())).then(
          (o) => {
            this.claimsRetried.succeeded(this.log);
            return o;
          },
          (err: Error) => {
            this.claimsRetried.failed(this.log, err);
            this.fetchAgainSoon(payload.pause);
            return undefined;
          },
        ));
      if (!owned) return;
      if (owned.recount) {
        // a rebalance: partitions may have been added (kafkajs rebalances the group when it sees them)
        owned.recount = false;
        const count = await this.partitions.claimStep(partitionCount(this.admin, this.cfg.eventsTopic));
        // asked again at the next claim, after the stop
        if (count === undefined) return;
        if (count !== owned.partitions && this.partitions.owned.get(p) === owned) {
          // what was processed so far is consistent: saved, for when the topic is as it was again
          await this.partitions.release(p, true);
          this.partitions.refusedCount(p, owned.partitions, count);
          return;
        }
        continue;
      }
      if (!owned.applying) break;
      await owned.applying;
    }
    owned.busy = true;
    try {
      await this.processBatch(payload, owned);
    } finally {
      owned.busy = false;
    }
    if (this.partitions.refused.get(p)?.again && this.partitions.owned.get(p) === owned && !owned.verify) {
      this.partitions.unrefuse(p);
      this.log.info({ partition: p }, "the partition's positions are in the log now (reset): consumed again");
    }
  }

  private async processBatch({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale, pause }: EachBatchPayload, owned: Owned): Promise<void> {
    const p = batch.partition;
    // every line logged for this batch names it, so one batch's story can be followed across lines
    const log = this.log.child({ batch: `${batch.topic}[${p}]@${batch.firstOffset()}` });
    const msgs = batch.messages;
    if (msgs.length === 0) return;
    // where it ends now: whether it is at its end is recorded with its writes (event-time.ts)
    owned.end = BigInt(batch.highWatermark);
    if (owned.position !== null && BigInt(msgs[0]!.offset) < owned.position) {
      // Kafka went back (after a claim or a restart of the consumer, or into a log that is not the one the positions
      // are in: the topic recreated under a running consumer). The same log never ends before them (a claim asks the
      // broker where it ends: a new leader's high-water mark can lag a moment), and still has the last record processed.
      const furthest = owned.emitted !== null && owned.emitted > owned.position ? owned.emitted : owned.position;
      if (BigInt(batch.highWatermark) < furthest) {
        await this.partitions.release(p, false);
        return;
      }
      if (!owned.verify && owned.last && BigInt(msgs[0]!.offset) <= BigInt(owned.last.offset)) owned.verify = owned.last;
    }
    if (owned.verify) {
      // before anything more of this partition is processed: the record its state was taken after must be there
      const v = owned.verify;
      if (BigInt(msgs[0]!.offset) > BigInt(v.offset)) {
        if (!owned.following) {
          owned.following = true;
          this.consumer!.seek({ topic: batch.topic, partition: p, offset: v.offset });
          return;
        }
        if (isStale()) return;
        // fetched from its offset, Kafka has no record there (compaction, or records of an aborted transaction): nothing to compare
        owned.verify = undefined;
      } else {
        const m = msgs.find((x) => x.offset === v.offset);
        if (m) {
          if (m.timestamp !== v.timestamp || !(m.key === null ? v.key === null : v.key !== null && m.key.equals(v.key))) {
            await this.partitions.release(p, false);
            this.partitions.refuse(p, `the checkpoint was taken after the record at ${describeRecord(v)}, but the log has another one there (${describeRecord({ offset: m.offset, timestamp: m.timestamp, key: m.key })})`);
            return;
          }
          owned.verify = undefined;
        } else if (BigInt(msgs[msgs.length - 1]!.offset) > BigInt(v.offset)) owned.verify = undefined;
      }
    }
    if (owned.position !== null && BigInt(msgs[0]!.offset) > owned.position) {
      if (!owned.following) {
        // Kafka's position is ahead of the checkpoint: go back to it
        owned.following = true;
        this.consumer!.seek({ topic: batch.topic, partition: p, offset: String(owned.position) });
        return;
      }
      // a batch fetched before the seek, still arriving, must not move the position past events
      if (isStale()) return;
      // fetched from the position, Kafka has nothing before this: the offsets between hold no event (transaction
      // markers, aborted transactions' records, records deleted by compaction or by retention, which kafkajs logs)
      log.debug({ from: String(owned.position), to: msgs[0]!.offset }, "offsets without events passed over");
      owned.position = BigInt(msgs[0]!.offset);
    }
    owned.following = true;
    let i = 0;
    // the partition may be given up while this batch waits on I/O: its merchants are gone, so stop here; and on
    // stop() after the chunk in hand
    while (i < msgs.length && isRunning() && !this.stopping && !isStale() && this.partitions.owned.get(p) === owned) {
      let end = Math.min(i + this.cfg.commitEvery, msgs.length);
      // the time of an event later than the others let this partition go (owned.limit): the chunk ends before it
      let holdAt: number | undefined;
      const alerts = [];
      const appendedAt: number[] = [];
      const outbox: OutboxMessage[] = [];
      // counted per chunk, not per event: a labelled counter's inc() builds its label key each call. Added once the
      // chunk's outputs are committed (a chunk whose commit fails is processed again), all at once, so no scrape sees
      // consumed apart from processed + dead-lettered
      let consumed = 0;
      const processed: Partial<Record<EventType, number>> = {};
      const deadLettered: Partial<Record<string, number>> = {};
      // the chunk decoded first, then processed: each of the two keeps its code and data in the caches for the
      // whole chunk (as replay does, docs/performance.md)
      const first = i;
      // judged from the message's timestamp, or from this consumer's clock when that is earlier: a producer that stamps
      // messages with the event's own time would otherwise let any future date through
      const clock = Date.now();
      const decoded = msgs.slice(first, end).map((m): Decoded | Unreadable => {
        // the records of a batch an operator skipped have no value (nor are they tombstones): only such a record is looked up
        const skipped = m.value === null ? skippedReason(m) : undefined;
        if (skipped !== undefined) return { ok: false, kind: "unreadable-batch", reason: skipped };
        const stamped = Number(m.timestamp);
        return stamped <= clock
          ? decodeMessage(m, this.cfg.maxMessageBytes, this.aheadOfStamp, stamped)
          : decodeMessage(m, this.cfg.maxMessageBytes, this.aheadOfClock, clock);
      });
      this.partitions.inHand = p;
      // triggers of this partition's merchants run before its first event later than their flag, as replay runs them
      const triggered: Raised[] = [];
      let nextDue = this.notices.nextDue(owned);
      for (; i < end; i++) {
        const m = msgs[i]!;
        const offset = BigInt(m.offset);
        if (owned.position !== null && offset < owned.position) continue;
        // before the outputs' position the event only rebuilds state: its outputs were made before a restart
        const replay = owned.emitted !== null && offset < owned.emitted;
        const d = decoded[i - first]!;
        // a compare per event, a parse only while another partition with a backlog is behind
        if (!replay && d.ok && owned.limit !== Infinity) {
          const at = parseTime(d.event.occurredAt);
          if (at > owned.limit) {
            holdAt = at;
            end = i;
            break;
          }
        }
        if (!replay) consumed++;
        if (!d.ok) {
          if (replay) continue;
          deadLettered[d.kind] = (deadLettered[d.kind] ?? 0) + 1;
          // the message as it came, its headers too (bytes, kept so by the outbox), for an operator to re-drive;
          // ours added after them, so a source header of the same name gives way to ours
          outbox.push({
            dest: "dead-letter",
            key: m.key,
            value: m.value ?? Buffer.alloc(0),
            headers: {
              ...m.headers,
              "mt-reason": d.reason,
              "mt-reason-kind": d.kind,
              "mt-source-topic": batch.topic,
              "mt-source-partition": String(p),
              "mt-source-offset": m.offset,
            },
          });
          continue;
        }
        if (d.cardNumbersIn !== undefined) this.cardNumbersTruncated(d.event, d.cardNumbersIn);
        const timed = (++this.sampled & 63) === 0;
        const t0 = timed ? performance.now() : 0;
        const known = this.engine.merchants.size;
        if (nextDue !== Infinity && (owned.emitted === null || offset >= owned.emitted) && parseTime(d.event.occurredAt) > nextDue) {
          triggered.push(...this.notices.applyDue(owned, parseTime(d.event.occurredAt)));
          nextDue = this.notices.nextDue(owned);
        }
        const raised = this.engine.process(d.event);
        if (timed) this.metrics.evalSeconds.observe((performance.now() - t0) / 1000);
        // a merchant new to this process (restored ones were noted on claim): two lookups in tables as large as
        // the population are not made for every event
        if (this.engine.merchants.size !== known) {
          owned.merchants.add(d.event.merchantId);
          this.partitions.partitionOf.set(d.event.merchantId, p);
        }
        if (this.engine.infra.ahead.length) {
          this.notices.ahead(this.engine.takeAhead());
          nextDue = this.notices.nextDue(owned);
        }
        if (replay) {
          // what the first pass raised is recorded (left out below with the triggers' recorded alerts); an alert only
          // the rebuild raises, a flag's notice read since its first pass, is one replay raised
          for (const a of raised) triggered.push({ a, eventId: d.event.eventId });
          continue;
        }
        processed[d.event.type] = (processed[d.event.type] ?? 0) + 1;
        for (const a of raised) {
          appendedAt.push(Number(m.timestamp));
          alerts.push(a);
          outbox.push(alertMessage(a, { "mt-event-id": d.event.eventId, "mt-source-offset": m.offset }));
        }
      }
      owned.held = holdAt;
      if (end === first) {
        // held at the chunk's first event: nothing of it processed
        if (await this.eventTime.passes(owned, holdAt!)) continue;
        this.eventTime.hold(p, owned, holdAt!, pause());
        return;
      }
      const lastOffset = msgs[end - 1]!.offset;
      const next = BigInt(lastOffset) + 1n;
      if (owned.position !== null && next <= owned.position) {
        resolveOffset(lastOffset);
        continue;
      }
      owned.position = next;
      const lastMsg = msgs[end - 1]!;
      // copied: a slice would keep the whole fetch in memory
      owned.last = { offset: lastOffset, timestamp: lastMsg.timestamp, key: lastMsg.key && Buffer.from(lastMsg.key) };
      // hits and flags of events before the outputs' position were written with it
      const hits = this.engine.takeHits();
      const fresh = owned.emitted === null || next > owned.emitted;
      const flags = this.engine.takeFlags();
      // a merchant unflagged by an indicator that another merchant's event found expired: on its own partition, and
      // written also from events processed before (which of this process's events passes the expiry first varies)
      const lapsed = flags.filter((f) => this.engine.withoutEvent(f) && (this.partitions.partitionOf.get(f.merchantId) !== p || !fresh));
      if (lapsed.length) this.notices.holdNotices(lapsed);
      let written: OutboxRow[] = [];
      let committed = false;
      if (triggered.length) {
        // an alert recorded already (the notices read again after a restart or a rebalance, or raised again by the
        // rebuild) is not raised twice
        const unrecorded = await this.notices.unrecorded(triggered).catch(() => undefined);
        if (!unrecorded) {
          // not known whether they are recorded: the chunk is processed again, as after a failed commit
          await this.partitions.release(p, false);
          this.fetchAgainSoon(pause);
          return;
        }
        for (const a of unrecorded.alerts) {
          appendedAt.push(Date.now());
          alerts.push(a);
        }
        outbox.push(...unrecorded.messages);
      }
      // how far in event time the partition has come (triggers of later flags wait for it: Notices.early), set with
      // its notices put in hand below, no wait between: a position saved meanwhile records it with them (event-time.ts)
      for (let k = end - first - 1; k >= 0; k--) {
        const d = decoded[k]!;
        if (d.ok) {
          owned.reached = parseTime(d.event.occurredAt);
          break;
        }
      }
      if (fresh) {
        // A chunk without alerts or dead letters is not written: were it lost in a crash, its events would be
        // consumed again and, from the same state, make the same rule hits and no outputs again. savePositions
        // writes its position and hits within a second. Most chunks at a steady rate are such, and a transaction
        // each was most of PostgreSQL's round trips.
        for (const h of hits) owned.hits.push(h);
        for (const f of flags) if (!lapsed.includes(f)) owned.flags.push(f);
        if (alerts.length || outbox.length) {
          try {
            written = await this.commits.commit(p, owned, next, alerts, outbox);
            committed = true;
          } catch (err) {
            // memory is now ahead of PostgreSQL: forget it; the next batch claims again and rebuilds
            await this.partitions.release(p, false);
            if (err instanceof FencedError) {
              this.metrics.fenced.inc();
              log.warn({ partition: p }, err.message);
              return;
            }
            // a chunk PostgreSQL refuses for its content is refused again at every retry: said at the first and once a minute
            const f = this.commits.commitFailures.get(p);
            if (!f || saysFailure(f, FAILURES_SAID_EVERY))
              log.error(
                { partition: p, from: msgs[first]!.offset, to: lastOffset, alerts: alerts.length, deadLetters: outbox.length - alerts.length, err: (err as Error).message, ...(f && after(f).fields) },
                (pgTimedOut(err)
                  ? `chunk's outputs not committed: ${this.commits.unanswered(err)}; the partition is claimed again and the chunk retried`
                  : "chunk's outputs not committed; the partition is claimed again and the chunk retried. If this repeats for the same offsets, PostgreSQL refuses the chunk's content: the partition is held until it is fixed") +
                  ` (said again every ${FAILURES_SAID_EVERY} failures, and when its writes succeed)`,
              );
            this.fetchAgainSoon(pause);
            return;
          }
          owned.saved = next;
          // a merchant flagged here: its peers on other partitions are linked from the notice just committed, now
          // rather than at the next second's read
          if (flags.length) this.notices.pollFlagsSoon();
          const now = Date.now();
          for (const t of appendedAt) this.metrics.alertLatency.observe((now - t) / 1000);
          log.debug({ next: String(next), alerts: alerts.length, deadLetters: outbox.length - alerts.length }, "chunk committed");
        }
        owned.emitted = next;
      } else if (alerts.length) {
        // alerts only the rebuild raised: at the position PostgreSQL has
        try {
          written = await this.commits.commit(p, owned, owned.saved ?? next, alerts, outbox);
        } catch (err) {
          await this.partitions.release(p, false);
          if (err instanceof FencedError) this.metrics.fenced.inc();
          else log.warn({ partition: p, err: (err as Error).message }, "alerts raised by the rebuild not committed; the partition is claimed again");
          this.fetchAgainSoon(pause);
          return;
        }
      }
      if (committed || !consumed) this.commits.countConsumed(consumed, processed);
      else {
        // no outputs, so not committed: counted with the position's save
        const u = owned.uncounted;
        u.upTo = next;
        u.consumed += consumed;
        for (const [type, n] of Object.entries(processed) as [EventType, number][]) u.processed[type] = (u.processed[type] ?? 0) + n;
      }
      for (const [reason, n] of Object.entries(deadLettered)) this.metrics.deadLettered.inc({ reason }, n);
      this.commits.countAlerts(alerts);
      owned.end = BigInt(batch.highWatermark);
      if (this.partitions.owned.get(p) === owned) this.metrics.lag.set({ partition: String(p) }, lagOf(owned, owned.end));
      // handed over before anything else can fail: rows committed and never handed over wait until a later read
      if (written.length) void owned.publisher.flush(written);
      // where Kafka fetches next; what it commits is PostgreSQL's position (commitKafka)
      resolveOffset(lastOffset);
      await this.untilStop(this.commitKafka(commitOffsetsIfNecessary));
      // in the background: the batch goes on while the state is serialised and written (each row is the state at
      // the position the checkpoint records, so what it writes is consistent whenever it lands)
      this.checkpoints.checkpointInTurn(log);
      await this.untilStop(heartbeat());
      if (holdAt !== undefined && !(await this.eventTime.passes(owned, holdAt))) {
        // the rest of the batch is fetched again once the partition is let go
        this.eventTime.hold(p, owned, holdAt, pause());
        return;
      }
    }
  }

  /**
   * One round of event times (event-time.ts): this process's written (with the notices waiting), then every
   * partition's read with the notices, by a read begun after the write. Failures are the saves' and reads' own to say.
   */
  private async eventTimeRound(): Promise<void> {
    if (this.stopping) return;
    await this.commits.savingPositions;
    await this.commits.savePositions();
    await this.notices.pollingFlags;
    await this.notices.pollFlags();
  }

  /**
   * An event whose free text held a card number (decode truncated it): counted, and said at most once a minute with
   * the event and the fields, never the number, so that the producer can be told to send tokens only.
   */
  private cardNumbersTruncated(e: Event, fields: readonly TextField[]): void {
    for (const field of fields) this.metrics.cardNumbers.inc({ field });
    if (Date.now() - this.cardNumbersSaidAt < 60_000) return;
    this.cardNumbersSaidAt = Date.now();
    this.log.warn(
      { eventId: e.eventId, merchantId: e.merchantId, fields },
      "an event's free text held a card number, truncated to its first six and last four digits before anything was kept: the producer is to send card tokens only (said at most once a minute; moneytrail_card_numbers_truncated_total counts them)",
    );
  }

  /**
   * Leaves a partition's batch unresolved, to be fetched again in a second. Thrown to kafkajs, the failure was retried
   * and then restarted the consumer: a rebalance of the whole group every few seconds while PostgreSQL was away.
   */
  private fetchAgainSoon(pause: EachBatchPayload["pause"]): void {
    const resume = pause();
    setTimeout(() => {
      if (!this.stopping) resume();
    }, FETCH_AGAIN_MS).unref();
  }

  /**
   * Where each partition's next owner starts fetching, as Kafka offsets to commit (earlier events it skips): no further
   * than PostgreSQL has the outputs' position, nor than the state in memory. Chunks without outputs are processed
   * while PostgreSQL is away; their offsets committed, a restart (kill -9) fetched past what it had: a claim goes back
   * to the stored positions only when a batch comes, so those events waited for the partition's next event, and
   * where PostgreSQL had no position for the partition yet they were skipped.
   */
  private kafkaPositions(): { partition: number; offset: string }[] {
    return [...this.partitions.owned].flatMap(([partition, o]) => {
      const at = o.emitted === null ? o.position : o.saved === null || o.position === null ? null : o.saved < o.position ? o.saved : o.position;
      return at === null ? [] : [{ partition, offset: String(at) }];
    });
  }

  /** Commits kafkaPositions, from a batch, every KAFKA_COMMIT_MS: one request then, rather than one per batch. */
  private commitKafka(commit: EachBatchPayload["commitOffsetsIfNecessary"]): Promise<void> {
    if (Date.now() - this.kafkaCommittedAt < KAFKA_COMMIT_MS) return Promise.resolve();
    this.kafkaCommittedAt = Date.now();
    const partitions = this.kafkaPositions();
    return partitions.length ? commit({ topics: [{ topic: this.cfg.eventsTopic, partitions }] }) : Promise.resolve();
  }

  /** Kafka's answer, or a stop beginning: a stop waits for the chunk in hand, not for a broker that may not answer. */
  private untilStop(work: Promise<unknown>): Promise<unknown> {
    return Promise.race([work, this.stopSignal]);
  }

  /**
   * checkpointInTurn runs after chunks: when no batch comes, the last changes before the quiet spell would wait for
   * the next event, replayed from Kafka after a crash only while retention keeps them, and a stop after a long quiet
   * spell would have them all to write. Checked every second while no batch is in hand (one that comes takes over).
   */
  private checkpointQuiet(): void {
    if (this.stopping || this.inFlight.size > 0) return;
    this.checkpoints.checkpointInTurn(this.log, true);
  }

  /**
   * SIGTERM: finish the chunk in hand, save the positions and the last checkpoint, commit, publish, and only then
   * leave the group. Once this member has left, another is given its partitions, claims them (fencing this one) and
   * starts from what PostgreSQL has: a write after leaving would be refused or race it, and the work since the
   * previous checkpoint would be done again. kafkajs's consumer.stop() leaves the group too, so fetching is paused
   * instead (a batch delivered meanwhile is left alone: onBatch). PostgreSQL is saved before any step that waits on
   * Kafka (given up after MT_STOP_PG_WAIT_MS), and those wait STOP_KAFKA_MS each at most: they only spare the next owner work.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const began = Date.now();
      this.rules.stop();
      this.stopTrustWatch?.();
      this.stopBegun();
      // no set is put in force from here (the checkpoint must not see the index change under it); the subscriber's
      // consumer, whose disconnect waits for its fetch in flight, is waited for with the other Kafka steps
      const subscriberStopped = this.subscriber.stop();
      // no new delivery from here, and one in flight is waited for beside the other steps, not after them (a receiver
      // that does not answer held the stop for its 10 s timeout at the end): abandoned after STOP_KAFKA_MS, it is
      // due again at the next start
      const webhookStopped = this.serving.stopWebhook(STOP_KAFKA_MS);
      try {
        this.consumer?.pause([{ topic: this.cfg.eventsTopic }]);
      } catch {
        // not running (kafkajs gave up and the restart has not come round): there is no batch in hand to stop
      }
      clearInterval(this.positionTimer);
      clearInterval(this.terminatedTimer);
      this.eventTime.stop();
      for (const r of this.partitions.refused.values()) clearTimeout(r.recheck);
      this.partitions.stopClaimRetries();
      // a checkpoint that fails leaves the previous one, which the next owner starts from: the group is left
      // cleanly all the same, and stop() fails at the end. So does a PostgreSQL that does not answer (hung, or a
      // failover to an address that does not answer, where each statement waits for TCP's timeouts, many minutes):
      // the batch in hand, the reads under way and the saves are given up after MT_STOP_PG_WAIT_MS
      const failed = await within(
        (async () => {
          await Promise.allSettled([...this.inFlight, ...this.partitions.claiming.values()]);
          await this.notices.readingTerminated;
          await this.notices.pollingFlags;
          for (const o of this.partitions.owned.values()) await o.applying;
          await this.commits.savingPositions;
          await this.commits.savePositions();
          await this.checkpoints.checkpoint();
        })(),
        this.cfg.stopPgWaitMs,
      ).then(
        () => undefined,
        (err: Error) => err,
      );
      if (failed) this.pgGivenUp();
      // a position PostgreSQL did not take (it is away, or refuses writes): its events are consumed again by the next owner
      const unsaved = [...this.partitions.owned.values()].some((o) => o.emitted !== null && (o.saved !== o.emitted || o.flags.length > 0));
      const skipped = new Map<string, string>();
      const step = (done: string, work: Promise<unknown>): Promise<unknown> => within(work, STOP_KAFKA_MS).catch((err: Error) => skipped.set(done, err.message));
      // where the next member starts fetching: commits are otherwise every few seconds
      const positions = this.kafkaPositions().map((o) => ({ topic: this.cfg.eventsTopic, ...o }));
      const committed = positions.length && this.consumer ? step("Kafka offsets committed", this.consumer.commitOffsets(positions)) : undefined;
      // published before leaving: the next owner's producer would fence this one's mid-transaction. Not tried again
      // where publishing is failing (a broker that does not answer would hold the stop for its retries, a topic that
      // refuses would refuse again), nor waited for past STOP_KAFKA_MS: those rows wait in the outbox, and the next
      // owner publishes them.
      const saved = [...this.partitions.owned.keys()];
      const publishers = this.partitions.publishers();
      // where PostgreSQL did not answer, a publish under way (reading the outbox, deleting what was published) may
      // never end: it is left at once, its rows in the outbox for the next owner
      const publishWaitMs = failed ? 0 : STOP_KAFKA_MS;
      await Promise.all([
        committed,
        ...saved.map(async (p) => {
          const publisher = this.partitions.owned.get(p)?.publisher;
          if (publisher && !publisher.failure && !failed) void publisher.flush();
          await this.partitions.release(p, false, publishWaitMs);
        }),
        ...[...this.partitions.unclaimed].map(([p, publisher]) => this.partitions.stopPublisher(p, publisher, publishWaitMs)),
      ]);
      this.partitions.unclaimed.clear();
      const waiting = failed ? undefined : await within(this.serving.unpublished(publishers), this.cfg.stopPgWaitMs).catch(() => undefined);
      await Promise.all([
        this.consumer && step("the group left", this.consumer.disconnect()),
        step("the Kafka admin client closed", this.admin.disconnect()),
        step("the indicator topic's consumer closed", subscriberStopped),
      ]);
      await this.serving.close();
      await webhookStopped;
      // not waited for where PostgreSQL did not answer: a client hung on a statement would hold it
      const ended = this.pool.end().catch(() => undefined);
      if (!failed) await within(ended, this.cfg.stopPgWaitMs).catch(() => undefined);
      // the operator's sign in the log that the stop was clean, or of what it left to the broker's timeouts
      const unpublished = waiting && [...waiting.values()].reduce((a, b) => a + b, 0);
      const left = unpublished
        ? `; ${unpublished} outbox rows (alerts, dead letters) left unpublished in PostgreSQL, as publishing ${skipped.size ? "did not finish" : "failed"}: the partitions' next owner publishes them`
        : "";
      // stop() fails (the CLI's last line, exit code 1) saying what was not saved and what that costs
      if (failed || unsaved)
        throw new Error(
          `stopped without saving to PostgreSQL (${failed?.message ?? "positions not saved"}): partitions ${saved.join(",")} keep the positions and checkpoint saved last, and their next owner consumes again the events since (none lost, no output made twice)` +
            (skipped.size ? `; the broker did not answer within ${STOP_KAFKA_MS / 1000} s, so not done: ${[...skipped.keys()].join(", ")}` : "; the group left") +
            left,
        );
      // a start that ended before its consumer began (refused, or stopped): nothing was saved or left, its caller says why
      if (!this.consumer) return;
      if (skipped.size === 0) this.log.info({ partitions: saved, ms: Date.now() - began, unpublished }, "stopped: positions, checkpoint and offsets saved, the group left" + left);
      else
        this.log.warn(
          { partitions: saved, ms: Date.now() - began, unpublished, skipped: [...skipped.keys()], errors: [...skipped.values()] },
          `stopped: positions and checkpoint saved in PostgreSQL; the broker did not answer within ${STOP_KAFKA_MS / 1000} s, so not done: ${[...skipped.keys()].join(", ")}` +
            (skipped.has("the group left") ? " (the partitions go to another member once this one's session times out: MT_SESSION_TIMEOUT_MS)" : "") +
            left,
        );
    })();
    return this.stopping;
  }
}
