// `moneytrail run`: the Kafka consumer as the product's main job. One event's way: Kafka -> decode ->
// engine (state, rules, score) -> one PostgreSQL transaction per chunk (state, position, alerts, cases,
// outbox) -> the outbox publisher (alerts topic, dead-letter topic), exactly once.
import { hostname } from "node:os";
import pg from "pg";
import Fastify, { type FastifyInstance } from "fastify";
import type { Consumer, EachBatchPayload, Kafka, Admin } from "kafkajs";
import type { RunConfig } from "../config/run.js";
import { decode } from "../decode/decode.js";
import { Engine } from "../engine.js";
import { loadRuleSet } from "../rules/ruleset.js";
import { IndicatorIndex, loadIndicators } from "../indicators/index.js";
import { PgStore, FencedError, type OutboxMessage } from "../sinks/postgres/store.js";
import { migrate } from "../sinks/postgres/migrations.js";
import { OutboxPublisher } from "../sinks/publisher.js";
import { ensureTopics, kafkaClient, startConsumer } from "../source/kafka.js";
import { createMetrics, type Metrics } from "./metrics.js";
import type { Logger } from "../lib/log.js";

interface Owned {
  epoch: string;
  nextOffset: bigint | null;
  publisher: OutboxPublisher;
  merchants: Set<string>;
}

export class Runner {
  readonly metrics: Metrics = createMetrics();
  readonly engine: Engine;
  private readonly owned = new Map<number, Owned>();
  private readonly partitionOf = new Map<string, number>();
  private consumer?: Consumer;
  private http?: FastifyInstance;
  private readonly member = `${hostname()}:${process.pid}`;
  private stopping?: Promise<void>;

  private constructor(
    readonly cfg: RunConfig,
    private readonly log: Logger,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly pool: pg.Pool,
    private readonly store: PgStore,
  ) {
    const indicators = cfg.indicators ? loadIndicators(cfg.indicators) : new IndicatorIndex();
    this.engine = new Engine(loadRuleSet(cfg.rules), indicators, true);
  }

  static async start(cfg: RunConfig, log: Logger): Promise<Runner> {
    const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: 4 });
    const client = await pool.connect().catch((err: Error) => {
      throw new Error(`cannot reach PostgreSQL at DATABASE_URL (${err.message}); is it running and does the database exist?`);
    });
    try {
      const applied = await migrate(client);
      if (applied) log.info({ applied }, "database migrated");
    } finally {
      client.release();
    }
    const kafka = kafkaClient(cfg.brokers, cfg.clientId, log);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: cfg.eventsTopic, partitions: 6 },
      { topic: cfg.alertsTopic, partitions: 6 },
      { topic: cfg.deadLetterTopic, partitions: 6 },
    ]);
    const runner = new Runner(cfg, log, kafka, admin, pool, new PgStore(pool, cfg.groupId));
    log.info(
      { ruleSet: runner.engine.ruleSet.id, version: runner.engine.ruleSet.version, topic: cfg.eventsTopic, group: cfg.groupId },
      "rule set loaded; joining the consumer group",
    );
    if (cfg.metricsPort) await runner.serveMetrics();
    runner.consumer = await startConsumer(
      kafka,
      { groupId: cfg.groupId, topic: cfg.eventsTopic, fromBeginning: cfg.fromBeginning, sessionTimeoutMs: cfg.sessionTimeoutMs },
      { onAssignment: (ps) => runner.onAssignment(ps), onBatch: (b) => runner.onBatch(b) },
    );
    log.info({ group: cfg.groupId }, "consuming");
    return runner;
  }

  private async serveMetrics(): Promise<void> {
    this.http = Fastify();
    this.http.get("/metrics", async (_req, reply) => reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics()));
    await this.http.listen({ port: this.cfg.metricsPort, host: this.cfg.metricsHost });
  }

  private onAssignment(partitions: number[]): void {
    this.log.info({ partitions }, "partitions assigned");
    for (const p of [...this.owned.keys()]) if (!partitions.includes(p)) void this.release(p);
  }

  /** Claims a partition (fencing earlier owners), loads its merchants and starts its outbox publisher. */
  private async claim(p: number): Promise<Owned> {
    await this.release(p);
    const topic = this.cfg.eventsTopic;
    const claim = await this.store.claim(topic, p, this.member);
    const states = await this.store.loadStates(topic, p);
    this.engine.restore(states);
    const merchants = new Set(states.map((s) => s.id));
    for (const id of merchants) this.partitionOf.set(id, p);
    const publisher = new OutboxPublisher(
      this.kafka,
      this.admin,
      this.store,
      { groupId: this.cfg.groupId, sourceTopic: topic, partition: p, alertsTopic: this.cfg.alertsTopic, deadLetterTopic: this.cfg.deadLetterTopic },
      this.log,
      (dest, n) => this.metrics.published.inc({ dest }, n),
    );
    await publisher.start();
    const owned: Owned = { epoch: claim.epoch, nextOffset: claim.nextOffset === null ? null : BigInt(claim.nextOffset), publisher, merchants };
    this.owned.set(p, owned);
    this.log.info({ partition: p, epoch: claim.epoch, merchants: merchants.size, nextOffset: claim.nextOffset }, "partition claimed");
    return owned;
  }

  /** Forgets a partition's merchants and stops its publisher (its state is in PostgreSQL). */
  private async release(p: number): Promise<void> {
    const owned = this.owned.get(p);
    if (!owned) return;
    this.owned.delete(p);
    this.engine.evict(owned.merchants);
    for (const id of owned.merchants) this.partitionOf.delete(id);
    await owned.publisher.stop().catch((err: Error) => this.log.warn({ err: err.message, partition: p }, "publisher stop failed"));
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    const owned = this.owned.get(p) ?? (await this.claim(p));
    const msgs = batch.messages;
    if (msgs.length === 0) return;
    if (owned.nextOffset !== null && BigInt(msgs[0]!.offset) > owned.nextOffset) {
      // Kafka's position is ahead of what PostgreSQL holds: go back to the stored position
      this.consumer!.seek({ topic: batch.topic, partition: p, offset: String(owned.nextOffset) });
      return;
    }
    let i = 0;
    while (i < msgs.length && isRunning() && !isStale()) {
      const end = Math.min(i + this.cfg.commitEvery, msgs.length);
      const alerts = [];
      const outbox: OutboxMessage[] = [];
      let fresh = 0;
      for (; i < end; i++) {
        const m = msgs[i]!;
        // already applied before a restart or a rebalance: PostgreSQL's position is the truth
        if (owned.nextOffset !== null && BigInt(m.offset) < owned.nextOffset) continue;
        fresh++;
        this.metrics.consumed.inc();
        const d = m.value ? decode(m.value, this.cfg.maxMessageBytes) : ({ ok: false, kind: "not-json", reason: "empty message" } as const);
        if (!d.ok) {
          this.metrics.deadLettered.inc({ reason: d.kind });
          outbox.push({
            dest: "dead-letter",
            key: m.key,
            value: m.value ?? Buffer.alloc(0),
            headers: {
              "mt-reason": d.reason,
              "mt-reason-kind": d.kind,
              "mt-source-topic": batch.topic,
              "mt-source-partition": String(p),
              "mt-source-offset": m.offset,
            },
          });
          continue;
        }
        this.metrics.processed.inc({ type: d.event.type });
        owned.merchants.add(d.event.merchantId);
        this.partitionOf.set(d.event.merchantId, p);
        for (const a of this.engine.process(d.event)) {
          this.metrics.alerts.inc({ severity: a.severity });
          alerts.push(a);
          outbox.push({
            dest: "alerts",
            key: Buffer.from(a.merchantId),
            value: Buffer.from(JSON.stringify(a)),
            headers: { "mt-event-id": d.event.eventId, "mt-source-offset": m.offset },
          });
        }
      }
      const lastOffset = msgs[end - 1]!.offset;
      if (fresh === 0) {
        resolveOffset(lastOffset);
        continue;
      }
      const states = [...this.engine.takeDirty()].flatMap((id) => {
        const state = this.engine.merchants.get(id);
        const part = this.partitionOf.get(id);
        return state && part !== undefined ? [{ state: this.engine.snapshot(state), partition: part }] : [];
      });
      try {
        await this.store.commit({
          topic: batch.topic,
          partition: p,
          epoch: owned.epoch,
          nextOffset: String(BigInt(lastOffset) + 1n),
          states,
          alerts,
          outbox,
          acquirerOf: (id) => this.engine.merchants.get(id)?.profile?.acquirerId,
        });
      } catch (err) {
        // memory is now ahead of PostgreSQL: forget it; the next batch claims again and reloads
        await this.release(p);
        if (err instanceof FencedError) {
          this.metrics.fenced.inc();
          this.log.warn({ partition: p }, err.message);
          return;
        }
        throw err;
      }
      owned.nextOffset = BigInt(lastOffset) + 1n;
      resolveOffset(lastOffset);
      if (outbox.length) void owned.publisher.flush();
      await heartbeat();
    }
  }

  /** SIGTERM: finish the chunk in hand, commit, leave the group, publish what is pending. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.consumer?.disconnect();
      for (const p of [...this.owned.keys()]) {
        await this.owned.get(p)?.publisher.flush();
        await this.release(p);
      }
      await this.admin.disconnect();
      await this.http?.close();
      await this.pool.end();
    })();
    return this.stopping;
  }
}
