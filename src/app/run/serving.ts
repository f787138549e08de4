// What this process serves beside the consumer: readiness, liveness and metrics (MT_METRICS_PORT), the reviewers'
// page and API (MT_HTTP_PORT), and the webhook for new high-severity cases.
import { createServer } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { Consumer } from "kafkajs";
import { sinceText } from "../../lib/failure-run.js";
import { UsageError } from "../../lib/errors.js";
import { scrapeRead, within } from "../../lib/within.js";
import type { RulesStatus } from "../../rules/reload.js";
import { filesOf, recordVersion } from "../../rules/history.js";
import type { OutboxPublisher } from "../../sinks/publisher.js";
import { heldBatches } from "../../source/kafka.js";
import { WebhookDispatcher, givenUpCount } from "../../cases/webhook.js";
import { buildWebServer, closeWeb } from "../../web/server.js";
import type { RunConfig } from "../../config/run.js";
import type { Logger } from "../../lib/log.js";
import { START_PHASES, type Metrics, type StartPhase } from "../metrics.js";
import { urlOf } from "../../lib/url.js";
import { RunPart, type RunContext } from "./context.js";
import type { Commits } from "./commits.js";
import { lagOf, type Partitions } from "./partitions.js";

/** The reviewers' page's and the metrics port's settings, as a refusal of their addresses names them. */
const WEB_SETTINGS = ["MT_HTTP_PORT (--http-port)", "MT_HTTP_HOST"] as const;
const METRICS_SETTINGS = ["MT_METRICS_PORT", "MT_METRICS_HOST"] as const;

/**
 * Listens on a configured address. A port another process holds, or a host that is not this machine's, is the
 * operator's to change: said with the setting to change, not as a stack trace.
 */
async function listen(server: FastifyInstance, port: number, host: string, portSetting: string, hostSetting: string): Promise<void> {
  try {
    await server.listen({ port, host });
  } catch (err) {
    throw refusal(err as NodeJS.ErrnoException, port, host, portSetting, hostSetting);
  }
}

/** A listen's failure, in the operator's words where it is the setting's to change. */
function refusal(err: NodeJS.ErrnoException, port: number, host: string, portSetting: string, hostSetting: string): Error {
  const code = err.code;
  if (code === "EADDRINUSE") return new UsageError(`${portSetting}: ${host}:${port} is already in use by another process: stop it, or set ${portSetting.split(" ")[0]} to a free port (0 turns it off)`);
  if (code === "EACCES") return new UsageError(`${portSetting}: port ${port} needs privileges this process does not have: set a port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new UsageError(`${hostSetting}: ${host} is not an address of this host: set one it has (127.0.0.1 for this host only, 0.0.0.0 for all)`);
  return err;
}

/** Why `port` on `host` cannot be listened on now (refusal's words), or undefined: listened on and closed at once. */
async function refusedAddress(port: number, host: string, portSetting: string, hostSetting: string): Promise<Error | undefined> {
  if (!port) return undefined;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => probe.once("error", reject).listen({ port, host }, resolve));
  } catch (err) {
    return refusal(err as NodeJS.ErrnoException, port, host, portSetting, hostSetting);
  }
  await new Promise((resolve) => probe.close(resolve));
  return undefined;
}

/**
 * Refuses, at the start's first step, the reviewers' page's and the metrics port's addresses where they could not be
 * listened on, both in one error. The page listens once the consumer is up, so a port another process held was found
 * only after the wait for Kafka (up to an hour); and a second process on one host, both ports taken, was refused one
 * port at a time. A port taken between this and its listen is refused there, as before.
 */
export async function checkAddresses(cfg: RunConfig): Promise<void> {
  const refused = [await refusedAddress(cfg.httpPort, cfg.httpHost, ...WEB_SETTINGS), await refusedAddress(cfg.metricsPort, cfg.metricsHost, ...METRICS_SETTINGS)].filter((e) => e !== undefined);
  const unexpected = refused.find((e) => !(e instanceof UsageError));
  if (unexpected) throw unexpected;
  if (refused.length) throw new UsageError(refused.map((e) => e.message).join("; "));
}

/** /readyz's answer: ready when every check is ok; each failing one says why. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * The metrics port (MT_METRICS_PORT): /healthz, /readyz and /metrics, listening from the start's first step, before
 * PostgreSQL and Kafka. Opened only once the start had waited for its broker (MT_KAFKA_START_WAIT_MS, up to an hour)
 * and warmed up, a liveness probe found nothing there and killed a pod that was only waiting, which started again
 * into the same wait. Until the consumer is up /readyz is 503 with a `start` check saying what the start waits for
 * (beside the Runner's checks once it is made), and /metrics gives the step (moneytrail_start_phase) and what is
 * counted so far (nothing consumed yet).
 */
export class Probes {
  private http?: FastifyInstance;
  /** what the start waits for; undefined once it is over */
  private waiting?: string;
  private serving?: Serving;

  constructor(readonly metrics: Metrics) {}

  /** Listens on MT_METRICS_HOST:MT_METRICS_PORT (nowhere where it is 0): a port another process holds is refused here. */
  async listen(cfg: RunConfig, log: Logger): Promise<void> {
    if (!cfg.metricsPort) return;
    const http = Fastify();
    http.get("/metrics", async (_req, reply) => {
      await this.serving?.measure();
      return reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
    });
    http.get("/healthz", async () => ({ status: "alive" }));
    http.get("/readyz", async (_req, reply) => {
      const r = await this.readiness();
      return reply.code(r.ready ? 200 : 503).send(r);
    });
    await listen(http, cfg.metricsPort, cfg.metricsHost, ...METRICS_SETTINGS);
    this.http = http;
    log.info({ url: urlOf(cfg.metricsHost, cfg.metricsPort) }, "/metrics, /healthz and /readyz (a scrape target, liveness and readiness checks)");
  }

  private async readiness(): Promise<Readiness> {
    const r = this.serving ? await this.serving.readiness() : { ready: false, checks: {} };
    // read after the Runner's checks, which take a while: a start over meanwhile is not said to be under way
    return this.waiting === undefined ? r : { ready: false, checks: { start: { ok: false, detail: this.waiting }, ...r.checks } };
  }

  /** The start is at `phase`, waiting for what `detail` says; at none, it is over (started). */
  starting(phase: StartPhase | undefined, detail?: string): void {
    this.waiting = detail;
    for (const p of START_PHASES) this.metrics.startPhase.set({ phase: p }, p === phase ? 1 : 0);
  }

  /** The consumer is up: /readyz is the Runner's checks alone. */
  started(): void {
    this.starting(undefined);
  }

  /** From now on /readyz and /metrics carry the Runner's checks and what it measures at scrape. */
  attach(serving: Serving): void {
    this.serving = serving;
  }

  async close(): Promise<void> {
    await this.http?.close();
  }
}

/** What serving asks of the rest of the Runner. */
export interface ServingHooks {
  consumer: () => Consumer | undefined;
  /** this member is in the consumer group */
  joined: () => boolean;
  /** the partitions the group assigned to this member */
  assigned: () => number[];
  rulesStatus: () => RulesStatus;
}

export class Serving extends RunPart {
  private web?: FastifyInstance;
  private webhook?: WebhookDispatcher;

  constructor(
    ctx: RunContext,
    private readonly partitions: Partitions,
    private readonly commits: Commits,
    private readonly hooks: ServingHooks,
    /** the metrics port, listening since the start began; closed with the rest */
    private readonly probes: Probes,
  ) {
    super(ctx);
    probes.attach(this);
  }

  /** What /metrics reads at scrape: from the engine, and (bounded) from the broker and PostgreSQL. */
  async measure(): Promise<void> {
    this.metrics.merchants.set(this.engine.merchants.size);
    this.metrics.slotsReset.reset();
    this.metrics.slotsReset.inc(this.engine.counts.slotsReset);
    this.metrics.repeated.reset();
    this.metrics.repeated.inc(this.engine.counts.repeated);
    await Promise.all([this.measureLag(), this.measureOutbox()]);
  }

  /** The reviewers' page and API, and the webhook for new high-severity cases, on the same database. */
  async serveReviewers(): Promise<void> {
    const db = this.db;
    await recordVersion(db, this.engine.ruleSet, filesOf(this.engine.ruleSet), "directory", "directory");
    // given-up deliveries wait in PostgreSQL whether or not this process delivers (another may have given up on them)
    this.metrics.webhookGivenUp.from = () => givenUpCount(db);
    if (this.cfg.webhookUrl) {
      this.webhook = new WebhookDispatcher({ db, url: this.cfg.webhookUrl, secret: this.cfg.webhookSecret!, log: this.log });
      this.webhook.start();
      this.metrics.webhookDeliveries.from = this.webhook;
    }
    if (!this.cfg.httpPort) return;
    this.web = await buildWebServer({
      db,
      log: this.log,
      rulesDir: this.cfg.rules,
      rulesStatus: this.hooks.rulesStatus,
      member: { id: this.cfg.memberId, name: this.cfg.memberName },
      trustProxy: this.cfg.trustProxy,
      metrics: this.metrics,
    });
    await listen(this.web, this.cfg.httpPort, this.cfg.httpHost, ...WEB_SETTINGS);
    this.log.info({ url: urlOf(this.cfg.httpHost, this.cfg.httpPort) }, "reviewers' page");
  }

  /**
   * Lag at scrape time: the partition's end offset now against the position PostgreSQL has (lagOf). (After a chunk
   * the lag against the batch's own high-water mark is mostly 0, which says little about what arrived since.) kafkajs
   * retries a broker that does not answer for minutes: scrapeRead bounds the wait, the lag staying as last measured.
   */
  private readonly measureLag = scrapeRead(async () => {
    if (this.partitions.owned.size === 0) return;
    for (const e of await this.admin.fetchTopicOffsets(this.cfg.eventsTopic)) {
      const owned = this.partitions.owned.get(e.partition);
      if (owned?.position != null) this.metrics.lag.set({ partition: String(e.partition) }, lagOf(owned, BigInt(e.high)));
    }
  });

  /** Outbox rows waiting at scrape time and the oldest one's age, as the lag (bounded, else as last measured). */
  private readonly measureOutbox = scrapeRead(async () => {
    const waiting = await this.outboxWaiting(this.partitions.publishers());
    this.metrics.outboxWaiting.reset();
    this.metrics.outboxOldest.reset();
    for (const [p, w] of waiting) {
      this.metrics.outboxWaiting.set({ partition: String(p) }, w.rows);
      this.metrics.outboxOldest.set({ partition: String(p) }, w.oldestSeconds);
    }
  });

  /** The outbox rows of each publisher's partition not published yet (beyond its mark, as far as it knows it). */
  async unpublished(publishers: (readonly [number, OutboxPublisher])[]): Promise<Map<number, number>> {
    return new Map([...(await this.outboxWaiting(publishers))].map(([p, w]) => [p, w.rows]));
  }

  /** unpublished's rows, with how long the oldest of them has waited (0: none waits). */
  private async outboxWaiting(publishers: (readonly [number, OutboxPublisher])[]): Promise<Map<number, { rows: number; oldestSeconds: number }>> {
    const marks = new Map(publishers.map(([p, pub]) => [p, pub.mark]));
    const ends = await this.store.outboxEnds(this.cfg.eventsTopic, [...marks]);
    const waiting = new Map<number, { rows: number; oldestSeconds: number }>();
    for (const e of ends) {
      if (e.first === null || e.last === null) waiting.set(e.partition, { rows: 0, oldestSeconds: 0 });
      else {
        // rows at or below the mark are deleted in the background, a second or so after they were published
        const below = BigInt(e.first) - 1n > marks.get(e.partition)! ? BigInt(e.first) - 1n : marks.get(e.partition)!;
        waiting.set(e.partition, { rows: Number(BigInt(e.last) - below), oldestSeconds: e.oldestSeconds ?? 0 });
      }
    }
    return waiting;
  }

  /** Ready: the broker and the database answer, this member is in the group, a rule set is in force. */
  async readiness(): Promise<Readiness> {
    const check = async (work: () => Promise<unknown>) => {
      try {
        await within(work(), 2000);
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    };
    const [broker, database] = await Promise.all([check(() => this.admin.describeCluster()), check(() => this.pool.query("SELECT 1"))]);
    // partitions held at a record batch the codecs refused (source/codecs.ts)
    const held = heldBatches(this.hooks.consumer());
    const checks = {
      broker,
      database,
      group: this.hooks.joined() ? { ok: true, detail: `partitions ${[...this.hooks.assigned()].join(",") || "none (more members than partitions)"}` } : { ok: false, detail: "not in the consumer group: joining (at start, or again after the consumer stopped on an error)" },
      rules: { ok: true, detail: this.engine.ruleSet.version },
      batches: held.length
        ? { ok: false, detail: held.map((h) => `${h.topic}[${h.partition}] held at offset ${h.offset}: a batch of ${h.records} records cannot be read (${h.why}): ${h.todo}`).join("; ") }
        : { ok: true },
      positions: this.partitions.refused.size
        ? { ok: false, detail: [...this.partitions.refused].map(([p, r]) => `partition ${p} refused: ${r.why}`).join("; ") }
        : { ok: true },
      claims: this.claimsCheck(),
      outbox: this.outboxCheck(),
      commits: this.commits.commitFailures.size
        ? {
            ok: false,
            detail:
              [...this.commits.commitFailures]
                .map(([p, f]) =>
                  f.unanswered
                    ? `partition ${p}: PostgreSQL has not answered the outputs' and positions' writes ${f.failures} times since ${sinceText(f)}: ${f.unanswered}`
                    : `partition ${p}: PostgreSQL has refused the outputs' and positions' writes ${f.failures} times since ${sinceText(f)} (${f.error})`,
                )
                .join("; ") +
              ": nothing of those partitions is saved until it takes them" +
              ([...this.commits.commitFailures.values()].some((f) => !f.unanswered)
                ? "; check that the database is writable (not a read-only standby, disk not full) and that the service role may write the tables"
                : ""),
          }
        : { ok: true },
    };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  /**
   * Not ok while a partition assigned is not claimed: its claim under way (its merchants' state loaded from
   * PostgreSQL, seconds for a large partition), or failed and tried again. Ready at assignment, it would let a
   * rolling update stop the next old process (its partitions moved again) while this one was still loading.
   */
  private claimsCheck(): { ok: boolean; detail?: string } {
    const retried = this.partitions.unclaimedRetries;
    const assigned = this.hooks.assigned();
    const loading = [...this.partitions.claiming.keys()].filter((p) => !retried.has(p) && assigned.includes(p));
    const failing = retried.size
      ? [...retried].map(([p, r]) => `partition ${p}: assigned, its claim has failed ${r.failures} times since ${sinceText(r)} (${r.error})`).join("; ") +
        ": tried again until it is; meanwhile its merchants are not held here and its position and event time not moved on"
      : "";
    const under = loading.map((p) => `partition ${p}: assigned, its claim under way (its merchants' state being loaded from PostgreSQL): not consumed until it is`).join("; ");
    return failing || under ? { ok: false, detail: [failing, under].filter(Boolean).join("; ") } : { ok: true };
  }

  /**
   * Not ok while a partition's outbox publish fails: its alerts are in the case table but not on the alerts topic.
   * Rows that only wait long (moneytrail_outbox_oldest_row_age_seconds) do not fail it: not ready takes the process
   * out of its load balancer, the reviewers' page (where those alerts are) with it, and holds a rolling update, yet
   * moves no row (the consumer reads Kafka, not requests); with no failure there is no why to give. The ticket
   * MoneytrailOutboxStuck says it instead.
   */
  private outboxCheck(): { ok: boolean; detail?: string } {
    const failing = this.partitions.publishers().flatMap(([p, pub]) => {
      const f = pub.failure;
      return f ? [`partition ${p}: publishing has failed ${f.failures} times since ${sinceText(f)} (${f.error}): ${f.todo}`] : [];
    });
    return failing.length ? { ok: false, detail: failing.join("; ") } : { ok: true };
  }

  /** Stops the webhook's deliveries (see WebhookDispatcher.stop); undefined where there is no webhook. */
  stopWebhook(waitMs: number): Promise<void> | undefined {
    return this.webhook?.stop(waitMs);
  }

  /** Closes the metrics and reviewers' servers. */
  async close(): Promise<void> {
    await this.probes.close();
    if (this.web) await closeWeb(this.web);
  }
}
