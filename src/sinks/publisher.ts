// Publishes one source partition's outbox (alerts and dead letters) to Kafka exactly once. Each flush is a
// Kafka transaction that also records, as a committed offset of the group "<group>.outbox", how far the
// outbox was published; a restart reads that mark and resumes after it. The transactional id is per source
// partition, so a new owner's producer fences the old one's.
import { after, failedAgain, type FailureRun } from "../lib/failure-run.js";
import type { Kafka, Producer, Admin } from "kafkajs";
import { OUTBOX_PAGE, type OutboxRow, type PgStore } from "./postgres/store.js";
import type { Logger } from "../lib/log.js";
import { maskCardNumbers } from "../lib/card-numbers.js";
import { within } from "../lib/within.js";
import { withCardNumbersMasked } from "../cases/mask.js";

const SLICE_BYTES = 512 * 1024;
const DROP_MS = 1000;
/** the wait before publishing again after a failure doubles from the first to the last */
const RETRY_FIRST_MS = 1000;
const RETRY_LAST_MS = 30_000;

/**
 * An alert as the topic's readers get it: a card number in its strings (the merchant's text, a rule's explanation
 * quoting it, an address's query), which a producer should never have sent, truncated as maskCardNumbers does. Most
 * alerts hold none and go as committed; a dead letter always does, its bytes as they came being the contract's point.
 */
function alertValue(value: Buffer): Buffer {
  const text = value.toString();
  return maskCardNumbers(text) === text ? value : Buffer.from(JSON.stringify(withCardNumbersMasked(JSON.parse(text))));
}

const message = (r: OutboxRow) => ({ key: r.key, value: r.dest === "alerts" ? alertValue(r.value) : r.value, headers: r.headers });

/** Consecutive runs of rows whose values add up to at most `bytes` (a larger row goes alone). */
function* slices(rows: OutboxRow[], bytes: number): Generator<OutboxRow[]> {
  let cur: OutboxRow[] = [];
  let size = 0;
  for (const r of rows) {
    const n = r.value.length + (r.key?.length ?? 0) + 256;
    if (cur.length && size + n > bytes) {
      yield cur;
      cur = [];
      size = 0;
    }
    cur.push(r);
    size += n;
  }
  if (cur.length) yield cur;
}

export interface PublisherOptions {
  groupId: string;
  sourceTopic: string;
  partition: number;
  alertsTopic: string;
  deadLetterTopic: string;
}

/** A publisher whose latest attempt failed: since when, how often, why and what to do. */
export interface PublishFailure extends FailureRun {
  error: string;
  /** what the operator can do about it */
  todo: string;
}

/** PostgreSQL's part of a publish failed (reading the outbox, or deleting what was published), not the broker's. */
class OutboxReadError extends Error {}

/** `read`, its failure told apart as PostgreSQL's: the operator is sent to the database, not to the brokers. */
const fromOutbox = <T>(read: Promise<T>): Promise<T> =>
  read.catch((err: Error) => {
    throw new OutboxReadError(err.message, { cause: err });
  });

/** kafkajs's name of a broker's refusal (its protocol error, which it may wrap), if it is one. */
const errorType = (err: unknown): string | undefined => (err as { type?: string }).type ?? (err as { cause?: { type?: string } }).cause?.type;

/** What a publisher tells its owner, for the metrics. */
export interface PublishReport {
  /** messages of one destination published by a transaction */
  published?(dest: "alerts" | "dead-letter", count: number): void;
  /** one transaction's time, from its first request to its commit */
  transaction?(seconds: number): void;
  /** a publish failed (it is retried) */
  failed?(): void;
}

export class OutboxPublisher {
  private producer: Producer;
  /** a transaction failed: the producer may be unusable (fenced, or left COMMITTING by kafkajs): a new one takes over (see publishPending) */
  private renew = false;
  private published = 0n;
  private running: Promise<void> = Promise.resolve();
  /** rows committed by this process and not yet published, in sequence order (see pending()) */
  private queued: OutboxRow[] = [];
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** the mark is not known (not read yet, or a failure left the outcome of the last commit unknown): read it first */
  private resync = true;
  /** the producer has taken the partition's transactional id (see fence()) */
  private fenced = false;
  private dropTimer: NodeJS.Timeout | undefined;
  private dropping: Promise<void> = Promise.resolve();
  /** the rows of the transaction in hand (named when the broker refuses them) */
  private sending: readonly OutboxRow[] = [];
  /** set while publishing fails; cleared by the next success */
  private failing: PublishFailure | undefined;
  readonly outboxGroup: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly store: PgStore,
    private readonly o: PublisherOptions,
    private readonly log: Logger,
    private readonly report: PublishReport = {},
  ) {
    this.outboxGroup = `${o.groupId}.outbox`;
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 2,
      transactionTimeout: 60_000,
    });
  }

  /**
   * Connects (fencing any earlier producer of this partition), learns what was published, publishes the rest. The
   * returned promise does not reject: a failure is retried in the background, and the caller need not wait for it
   * (the rows its events make wait in the outbox, which is what lets a new owner start on its partition at once
   * instead of after the three round trips a transactional producer takes to start).
   */
  start(): Promise<void> {
    return this.flush();
  }

  /** kafkajs takes the transactional id (fencing the earlier owner) only at the first transaction: taken here. */
  private async fence(): Promise<void> {
    await this.producer.connect();
    // before the mark is read: a transaction of the earlier owner that was still ending is settled by then, and the
    // mark read next includes it. Read first, the mark could miss it, and its rows would go out twice.
    await (await this.producer.transaction()).abort();
    this.fenced = true;
  }

  private async readMark(): Promise<void> {
    const [offsets] = await this.admin.fetchOffsets({ groupId: this.outboxGroup, topics: [this.o.sourceTopic] });
    const mark = offsets?.partitions.find((p) => p.partition === this.o.partition)?.offset ?? "-1";
    this.published = BigInt(mark) > 0n ? BigInt(mark) - 1n : 0n;
    await fromOutbox(this.store.dropPublished(this.o.sourceTopic, this.o.partition, String(this.published)));
    this.resync = false;
  }

  /**
   * Publishes everything pending; calls are serialised. A failure is retried in the background. `committed`: rows
   * the caller has just written to the outbox, so that publishing them needs no read of PostgreSQL.
   */
  flush(committed: readonly OutboxRow[] = []): Promise<void> {
    // beyond a page the rows are read back from PostgreSQL, which has them all: memory stays bounded while Kafka is away
    if (this.queued.length + committed.length <= OUTBOX_PAGE) for (const r of committed) this.queued.push(r);
    else this.queued = [];
    this.running = this.running
      .then(() => this.publishPending())
      .then(
        () => this.wentThrough(),
        (err: Error) => {
          this.report.failed?.();
          this.scheduleRetry(err);
        },
      );
    return this.running;
  }

  /**
   * The next rows after the mark, without a gap: those handed over by flush() up to the first gap when they follow
   * the mark (the usual case), else a page read from the outbox (after a restart, a failure, an overflow of the
   * queue, or a chunk whose rows were not handed over). A gap published past would move the mark over rows never sent.
   */
  private async pending(): Promise<OutboxRow[]> {
    this.dropQueued();
    const q = this.queued;
    if (q.length && BigInt(q[0]!.seq) === this.published + 1n) {
      let n = 1;
      while (n < q.length && BigInt(q[n]!.seq) === BigInt(q[n - 1]!.seq) + 1n) n++;
      return q.splice(0, n);
    }
    return fromOutbox(this.store.pendingOutbox(this.o.sourceTopic, this.o.partition, String(this.published)));
  }

  /** Takes the queued rows at or below the mark off the queue. */
  private dropQueued(): void {
    let skip = 0;
    while (skip < this.queued.length && BigInt(this.queued[skip]!.seq) <= this.published) skip++;
    if (skip) this.queued.splice(0, skip);
  }

  /** The outbox's sequence number published last, as far as this publisher knows (0 before it read the mark). */
  get mark(): bigint {
    return this.published;
  }

  /** Why publishing fails, while it does (undefined once a publish went through). */
  get failure(): PublishFailure | undefined {
    return this.failing;
  }

  /** After failures, says that publishing goes through again: the log's last word on an outage must not be its failures. */
  private wentThrough(): void {
    if (!this.failing) return;
    const a = after(this.failing);
    this.failing = undefined;
    this.log.info(
      { partition: this.o.partition, ...a.fields },
      `outbox publish goes through again, ${a.words}: the alerts and dead letters that waited in the outbox are on their topics`,
    );
  }

  private scheduleRetry(err: Error): void {
    this.resync = true;
    if (this.stopped || this.retry) return;
    const run = failedAgain(this.failing);
    this.failing = { ...run, error: err.message, todo: this.todo(err, this.sending) };
    // a refusal that lasts (a topic's limit, an ACL) is not retried every second, nor logged every second
    const retryInMs = Math.min(RETRY_LAST_MS, RETRY_FIRST_MS * 2 ** (run.failures - 1));
    this.log.warn(
      { err: err.message, partition: this.o.partition, failures: run.failures, retryInMs },
      `outbox publish failed; retrying (nothing is lost, the outbox keeps it; alerts reach the topic once it goes through): ${this.failing.todo}`,
    );
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.flush();
    }, retryInMs);
  }

  /** What the operator can do about a failed publish of `rows` (the rows it tried, when it got that far). */
  private todo(err: Error, rows: readonly OutboxRow[]): string {
    if (err instanceof OutboxReadError) return "check that PostgreSQL answers (/readyz database): the rows to publish are read from its outbox";
    const topics = `${this.o.alertsTopic} and ${this.o.deadLetterTopic}`;
    switch (errorType(err)) {
      case "MESSAGE_TOO_LARGE":
      case "RECORD_LIST_TOO_LARGE": {
        const largest = new Map<string, number>();
        for (const r of rows) {
          const topic = r.dest === "alerts" ? this.o.alertsTopic : this.o.deadLetterTopic;
          largest.set(topic, Math.max(largest.get(topic) ?? 0, r.value.length + (r.key?.length ?? 0)));
        }
        const sizes = [...largest].map(([t, n]) => `${t} ${n} bytes`).join(", ");
        return `a message is larger than its topic accepts (largest waiting: ${sizes}): raise the topic's max.message.bytes above that (kafka-configs --alter --entity-type topics --entity-name TOPIC --add-config max.message.bytes=N); until then this partition's alerts and dead letters wait`;
      }
      case "TOPIC_AUTHORIZATION_FAILED":
        return `this client may not write to ${topics}: grant it WRITE on them (and DESCRIBE and WRITE on its transactional id ${this.transactionalId}, READ on the group ${this.outboxGroup})`;
      case "TRANSACTIONAL_ID_AUTHORIZATION_FAILED":
        return `this client may not use the transactional id ${this.transactionalId}: grant it DESCRIBE and WRITE on it`;
      case "GROUP_AUTHORIZATION_FAILED":
        return `this client may not commit the outbox's mark: grant it READ on the group ${this.outboxGroup}`;
      case "UNKNOWN_TOPIC_OR_PARTITION":
        return `a topic is missing: create ${topics} (and ${this.o.sourceTopic}, whose partition the mark is kept for)`;
      default:
        return "check that the brokers answer (/readyz broker) and accept writes to " + topics;
    }
  }

  private get transactionalId(): string {
    return `${this.o.groupId}.outbox.${this.o.sourceTopic}.${this.o.partition}`;
  }

  private async publishPending(): Promise<void> {
    this.sending = [];
    // a flush queued behind a failed one: a stopped publisher must not take the transactional id from the new owner's
    if (this.stopped) return;
    if (this.renew) {
      // kafkajs leaves a producer whose EndTxn failed in COMMITTING or ABORTING, refusing every later transaction, and
      // a fenced one is refused for good. Its successor, with the same transactional id, has the coordinator settle
      // the last transaction, and the mark read after it says whether it was committed.
      await this.producer.disconnect().catch(() => undefined);
      this.producer = this.newProducer();
      this.fenced = false;
      this.renew = false;
    }
    if (!this.fenced) await this.fence();
    if (this.resync) await this.readMark();
    for (;;) {
      if (this.stopped) return;
      const rows = await this.pending();
      if (rows.length === 0) return;
      this.sending = rows;
      const last = BigInt(rows[rows.length - 1]!.seq);
      const started = performance.now();
      const txn = await this.producer.transaction();
      const send = async () => {
        // a broker refuses a request larger than its message.max.bytes (1 MiB by default): send in slices
        for (const slice of slices(rows, SLICE_BYTES)) {
          const topicMessages = [
            { topic: this.o.alertsTopic, messages: slice.filter((r) => r.dest === "alerts").map(message) },
            { topic: this.o.deadLetterTopic, messages: slice.filter((r) => r.dest === "dead-letter").map(message) },
          ].filter((t) => t.messages.length);
          await txn.sendBatch({ topicMessages, acks: -1 });
        }
      };
      try {
        // the mark's requests go beside the messages' (two in flight), so a publish waits three round trips, not five
        // (both settled before an abort: an abort must not overtake a request of its transaction)
        const sent = await Promise.allSettled([
          send(),
          txn.sendOffsets({
            consumerGroupId: this.outboxGroup,
            topics: [{ topic: this.o.sourceTopic, partitions: [{ partition: this.o.partition, offset: String(last + 1n) }] }],
          }),
        ]);
        for (const r of sent) if (r.status === "rejected") throw r.reason;
        await txn.commit();
        this.report.transaction?.((performance.now() - started) / 1000);
        this.report.published?.("alerts", rows.filter((r) => r.dest === "alerts").length);
        this.report.published?.("dead-letter", rows.filter((r) => r.dest === "dead-letter").length);
      } catch (err) {
        // refused after a failed commit (the producer is COMMITTING), or failed itself; either way the next attempt
        // has a new producer: one fenced (another producer of this partition took the transactional id after it: an
        // earlier owner's starting late or renewed, or its producer id expired) is refused before it adds anything to
        // a transaction, so its abort sends nothing and succeeds, and it would be refused again at every retry
        await txn.abort().catch(() => undefined);
        this.renew = true;
        throw err;
      }
      this.published = last;
      this.dropLater();
      // a row committed meanwhile comes with the flush() of its own chunk, queued behind this one; rows queued
      // after a gap go now (the gap is read from the outbox)
      this.dropQueued();
      if (rows.length < OUTBOX_PAGE && this.queued.length === 0) return;
    }
  }

  /**
   * Published rows are deleted in the background, at most once per DROP_MS: rows at or below the mark are never
   * read again (a restart drops them first), so deleting them is housekeeping, not part of publishing.
   */
  private dropLater(): void {
    if (this.dropTimer) return;
    this.dropTimer = setTimeout(() => {
      this.dropTimer = undefined;
      this.dropping = this.drop();
    }, DROP_MS).unref();
  }

  private async drop(): Promise<void> {
    await this.store
      .dropPublished(this.o.sourceTopic, this.o.partition, String(this.published))
      .catch((err: Error) => this.log.warn({ err: err.message, partition: this.o.partition }, "published outbox rows not deleted; the next publish retries"));
  }

  /**
   * Stops publishing: waits for the publish in hand (at most `waitMs`), unless publishing is failing. Else that
   * publish (with a broker that does not answer, kafkajs's retries: half a minute and more) is left, and with it any
   * retry: its rows are in the outbox for the partition's next owner, whose producer aborts a transaction this one
   * left open.
   */
  async stop(waitMs = Infinity): Promise<void> {
    const settled = this.running.then(
      () => true,
      () => true,
    );
    const bounded = <T>(p: Promise<T>, fallback: T): Promise<T> => (waitMs === Infinity ? p : within(p, waitMs).catch(() => fallback));
    const left = this.failing !== undefined || !(await bounded(settled, false));
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.dropTimer) {
      clearTimeout(this.dropTimer);
      this.dropTimer = undefined;
      this.dropping = this.drop();
    }
    // housekeeping (a restart deletes them first): not waited for past waitMs either, a PostgreSQL that does not
    // answer held the stop for good
    await bounded(this.dropping, undefined);
    // a disconnect waits for the requests in flight
    if (left) void this.running.then(() => this.producer.disconnect()).catch(() => undefined);
    else await this.producer.disconnect();
  }
}
