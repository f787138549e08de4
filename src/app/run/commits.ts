// A partition's writes to PostgreSQL: a chunk's outputs with its position (one transaction), the positions of chunks
// without outputs within a second, the metrics of what they commit, and the failures readiness reports.
import { databaseWhere } from "../../config/run.js";
import { after, failedAgain, type FailureRun, saysFailure } from "../../lib/failure-run.js";
import type { Alert, EventType } from "../../decode/events.js";
import { FencedError, type OutboxMessage, type OutboxRow } from "../../sinks/postgres/store.js";
import { pgTimedOut } from "../../cases/db.js";
import { RunPart, type RunContext } from "./context.js";
import type { Owned, Partitions } from "./partitions.js";
import { atEndOf, frontierOf } from "./event-time.js";

/** How far behind the outputs' position PostgreSQL may be when the chunks since had no outputs. */
export const POSITION_SAVE_MS = 1000;
/** A partition's position saves failing in a row are logged at the first, then once every this many (a minute). */
const POSITION_FAILURES_SAID_EVERY = 60_000 / POSITION_SAVE_MS;

/** An alert as its outbox message for the alerts topic. */
export const alertMessage = (a: Alert, headers: Record<string, string>): OutboxMessage => ({ dest: "alerts", key: Buffer.from(a.merchantId), value: Buffer.from(JSON.stringify(a)), headers });

export class Commits extends RunPart {
  /**
   * Per partition, its commits of outputs and positions failing since the last that succeeded: PostgreSQL answers
   * (SELECT 1) but refuses the writes (read-only after a failover, a full disk, privileges, a chunk's content), and
   * nothing of it is saved (readiness's `commits`). Per partition: another's commits must not hide one held up.
   */
  readonly commitFailures = new Map<number, FailureRun & { error: string; unanswered?: string }>();
  /** commits begun, numbered; per partition, the latest that succeeded: the failure of one begun before it is stale */
  private commitsBegun = 0;
  private readonly committedUpTo = new Map<number, number>();
  savingPositions?: Promise<void>;

  constructor(
    ctx: RunContext,
    private readonly partitions: Partitions,
  ) {
    super(ctx);
  }

  /** Forgets the failures and commits of partitions no longer assigned here. */
  keepOnly(partitions: number[]): void {
    for (const p of [...this.commitFailures.keys()]) if (!partitions.includes(p)) this.commitFailures.delete(p);
    for (const p of [...this.committedUpTo.keys()]) if (!partitions.includes(p)) this.committedUpTo.delete(p);
  }

  /**
   * Writes a partition's outputs and position with the rule hits and flag notices it carries. They are taken off
   * the partition for the write and put back if it fails: a position saved meanwhile (savePositions) must neither
   * write them a second time nor drop those carried after them.
   */
  async commit(p: number, owned: Owned, next: bigint, alerts: Alert[], outbox: OutboxMessage[]): Promise<OutboxRow[]> {
    const { hits, flags } = owned;
    owned.hits = [];
    owned.flags = [];
    const attempt = ++this.commitsBegun;
    // how far its notices go in event time, recorded with them: not while another write, whose notices it would cover, is under way
    const time = owned.committing === 0 ? { frontier: frontierOf(owned), atEnd: atEndOf(owned) } : undefined;
    owned.committing++;
    try {
      const written = await this.store.commitOutputs({
        topic: this.cfg.eventsTopic,
        partition: p,
        epoch: owned.epoch,
        nextOffset: String(next),
        alerts,
        outbox,
        hits,
        flags,
        acquirerOf: (id) => this.engine.merchants.get(id)?.profile?.acquirerId,
        reachedAt: time?.frontier,
        atEnd: time?.atEnd,
      });
      if (time) owned.written = { ...time, at: Date.now() };
      // a save that began before later chunks (savePositions beside a batch) leaves them to the next
      if (owned.uncounted.consumed && next >= owned.uncounted.upTo) this.countUncounted(owned);
      const failed = this.commitFailures.get(p);
      if (failed) {
        this.commitFailures.delete(p);
        const a = after(failed);
        this.log.info(
          { partition: p, ...a.fields },
          `partition ${p}'s writes to PostgreSQL succeed again, ${a.words}: nothing of it was lost (a chunk whose commit failed is processed again from the saved position)`,
        );
      }
      if (attempt > (this.committedUpTo.get(p) ?? 0)) this.committedUpTo.set(p, attempt);
      return written;
    } catch (err) {
      owned.hits = hits.concat(owned.hits);
      owned.flags = flags.concat(owned.flags);
      // a statement that waited on a hung PostgreSQL fails long after it began, maybe after later ones succeeded: were
      // it counted, readiness would say the writes fail until the partition's next commit, which a quiet one never makes
      if (!(err instanceof FencedError) && attempt > (this.committedUpTo.get(p) ?? 0)) {
        this.commitFailures.set(p, { ...failedAgain(this.commitFailures.get(p)), error: (err as Error).message, unanswered: pgTimedOut(err) ? this.unanswered(err) : undefined });
      }
      throw err;
    } finally {
      owned.committing--;
    }
  }

  /**
   * Whether the partition's event time is to be written though it has nothing else to: changed, or, while it has a
   * backlog, not written for a quarter of the maximum stall (the others would pass it over as of an owner gone).
   */
  private eventTimeDue(o: Owned): boolean {
    const w = o.written;
    return frontierOf(o) !== w.frontier || atEndOf(o) !== w.atEnd || (!w.atEnd && Date.now() - w.at > this.cfg.eventTimeMaxStallMs / 4);
  }

  /** What a PostgreSQL that did not answer in time (pgTimedOut) means, and what to check. */
  unanswered(err: unknown): string {
    const [ms, setting] = (err as Error).message === "Query read timeout" ? [this.cfg.pgQueryTimeoutMs, "MT_PG_QUERY_TIMEOUT_MS"] : [this.cfg.pgConnectTimeoutMs, "MT_PG_CONNECT_TIMEOUT_MS"];
    return `PostgreSQL did not answer within ${ms} ms (${setting}): check that the server at ${databaseWhere(this.cfg.databaseUrl)} is up and answers from this host (a stalled server, a failover to an address that does not answer, a network that drops packets)`;
  }

  /** Writes a partition's position with the rule hits and flag notices waiting for it. */
  async savePosition(p: number, owned: Owned, at: bigint): Promise<void> {
    await this.commit(p, owned, at, [], []);
    if (owned.saved === null || at > owned.saved) owned.saved = at;
  }

  /** Writes the outputs' position of partitions whose latest chunks had no outputs (onBatch leaves them to this). */
  savePositions(): Promise<void> {
    return (this.savingPositions ??= this.savePositionsNow().finally(() => (this.savingPositions = undefined)));
  }

  private async savePositionsNow(): Promise<void> {
    for (const [p, owned] of this.partitions.owned) {
      const next = owned.emitted;
      // notices made outside a chunk (holdNotices) are written at the position already saved
      if (next === null) {
        // nothing committed yet (held at its first events): its event time alone, for the others
        if (this.eventTimeDue(owned)) await this.recordEventTime(p, owned);
        continue;
      }
      if (next === owned.saved && owned.flags.length === 0 && !this.eventTimeDue(owned)) continue;
      try {
        await this.savePosition(p, owned, next);
      } catch (err) {
        if (!(err instanceof FencedError)) {
          // retried every second: said at the first failure and once a minute after, not 3,600 times an hour a partition
          const f = this.commitFailures.get(p);
          if (!f || saysFailure(f, POSITION_FAILURES_SAID_EVERY))
            this.log.warn(
              { err: (err as Error).message, partition: p, ...(f && after(f).fields) },
              `position not saved${pgTimedOut(err) ? `: ${this.unanswered(err)}` : ""}; trying again every second (said again once a minute while it fails, and when it succeeds)`,
            );
          continue;
        }
        this.metrics.fenced.inc();
        if (this.partitions.owned.get(p) === owned) await this.partitions.release(p, false);
      }
    }
  }

  /** A partition's event time written alone (savePositionsNow); a failure is left to the next second's save. */
  private async recordEventTime(p: number, owned: Owned): Promise<void> {
    if (owned.committing > 0) return;
    const time = { frontier: frontierOf(owned), atEnd: atEndOf(owned) };
    const recorded = await this.store.recordEventTime(this.cfg.eventsTopic, p, owned.epoch, time.frontier, time.atEnd).catch(() => undefined);
    if (recorded) owned.written = { ...time, at: Date.now() };
  }

  /** Events committed (or whose position is), counted in the metrics: consumed = processed + dead-lettered. */
  countConsumed(consumed: number, processed: Partial<Record<EventType, number>>): void {
    if (consumed) this.metrics.consumed.inc(consumed);
    for (const [type, n] of Object.entries(processed)) this.metrics.processed.inc({ type }, n);
  }

  /** The events of a partition's chunks without outputs, once PostgreSQL has their position. */
  private countUncounted(owned: Owned): void {
    this.countConsumed(owned.uncounted.consumed, owned.uncounted.processed);
    owned.uncounted = { upTo: owned.uncounted.upTo, consumed: 0, processed: {} };
  }

  /** Alerts committed, counted in the metrics (once: a chunk whose commit failed is processed again). */
  countAlerts(alerts: Alert[]): void {
    for (const a of alerts) {
      this.metrics.alerts.inc({ severity: a.severity });
      for (const t of a.typologies) this.metrics.alertTypologies.inc({ typology: t });
    }
  }
}
