// Partition ownership: which partitions this process holds (claimed in PostgreSQL, fencing earlier owners), their
// merchants and outbox publishers, and the partitions refused for positions that are not in their log.
import { hostname } from "node:os";
import type { Consumer } from "kafkajs";
import type { RuleHit } from "../../engine.js";
import type { EventType } from "../../decode/events.js";
import type { FlagNotice } from "../../state/infra.js";
import type { RecordMark } from "../../sinks/postgres/store.js";
import { OutboxPublisher } from "../../sinks/publisher.js";
import { partitionCount } from "../../source/kafka.js";
import { after, failedAgain, saysFailure, type FailureRun } from "../../lib/failure-run.js";
import { RunPart, type RunContext } from "./context.js";
import { FAILURES_SAID_EVERY } from "./retried.js";

/** A merchant held here to link to a merchant flagged on another partition, from the flag's notice. */
export interface Trigger {
  notice: FlagNotice;
  peer: string;
  /** epoch ms, event time: a later notice of the flagged merchant dropped keys before the trigger ran (engine.triggerPeers) */
  droppedAt?: number;
}

export interface Owned {
  epoch: string;
  /** the in-memory state of this partition's merchants is as of this offset (null: from the first message) */
  position: bigint | null;
  /** outputs are done up to this offset: events before it are replayed into state without outputs */
  emitted: bigint | null;
  /** `emitted` as PostgreSQL has it: behind it only by chunks without outputs (savePositions) */
  saved: bigint | null;
  /** rule hits of the chunks since `saved`, written with the next commit or position */
  hits: RuleHit[];
  /** flag notices of the chunks since `saved`, written likewise */
  flags: FlagNotice[];
  /** merchants of this partition to link to a merchant flagged on another partition (applyTriggers) */
  triggers: Trigger[];
  /** the partition's end as last known (the claim's, then each batch's high-water mark): a backlog while `position` is before it */
  end: bigint;
  /** how far the partition has come in event time: its latest chunk's last event's time (epoch ms; 0: none since the claim) */
  reached: number;
  /** the latest event time this partition may process now (event-time.ts): -Infinity until the others' are read after the claim; Infinity with no hold */
  limit: number;
  /** the time of the event it is held at, waiting for the others (event-time.ts) */
  held?: number;
  /** what its writes last recorded of its event time (event-time.ts), and when (Date.now()) */
  written: { frontier: number | null; atEnd: boolean; at: number };
  /** its writes to PostgreSQL under way: one begun meanwhile records no event time (the notices it covers are not written yet) */
  committing: number;
  /** a batch of this partition is in hand (triggers wait for it) */
  busy: boolean;
  /** Kafka fetches this partition from `position` (false at a claim: it fetches from the group's committed offset) */
  following: boolean;
  /** the last record processed: a checkpoint's state includes it (stored, it is looked for at the next claim) */
  last?: RecordMark;
  /** the record the claimed checkpoint was taken after, to be found again before anything is processed */
  verify?: RecordMark;
  /** triggers being applied and committed (a batch, and a checkpoint, wait for it) */
  applying?: Promise<void>;
  publisher: OutboxPublisher;
  merchants: Set<string>;
  /** merchants changed since this partition's latest checkpoint */
  dirty: Set<string>;
  /** when this partition was last checkpointed (Date.now()) */
  checkpointedAt: number;
  /** the topic's partition count at the claim, which its merchants' state goes with */
  partitions: number;
  /** the group was rebalanced since the claim (as it is when partitions are added): the count is asked again */
  recount: boolean;
  /**
   * Events of chunks without outputs up to `upTo`, counted in the metrics once PostgreSQL has a position that far
   * (commit): were the partition claimed again before that, they would be consumed, and counted, a second time.
   */
  uncounted: { upTo: bigint; consumed: number; processed: Partial<Record<EventType, number>> };
}

/** The first retry of a claim at assignment that failed, doubled at each failure up to CLAIM_RETRY_LAST_MS (retryClaim). */
export const CLAIM_RETRY_FIRST_MS = 1000;
export const CLAIM_RETRY_LAST_MS = 15_000;

/** How often a partition refused for positions that are not in its log is claimed again (the operator may have reset them). */
export const REFUSED_RECHECK_MS = 15_000;

/**
 * Messages behind the end of the partition, from the position PostgreSQL has: what a restart would consume again.
 * From the position in memory, it read about 0 while PostgreSQL was away and nothing was saved.
 */
export const lagOf = (o: Owned, end: bigint): number => Math.max(0, Number(end - (o.saved ?? o.position ?? end)));
/**
 * A partition's state may be checkpointed: state ahead of the outputs (a failed commit, triggers being committed) must
 * not be saved, those outputs would never be made.
 */
export const checkpointable = (o: Owned): o is Owned & { position: bigint } => o.position !== null && o.position === o.emitted && !o.applying;

/** What the partitions ask of the rest of the Runner. */
export interface PartitionsHooks {
  consumer: () => Consumer | undefined;
  /** resolved when stop() begins (claimStep) */
  stopSignal: Promise<void>;
  /** checkpoints partitions (a release that saves) */
  checkpoint: (partitions: number[]) => Promise<void>;
  /** a partition was claimed: the notices of its merchants are held, and every notice read again */
  claimed: () => void;
  /** a partition's merchants were forgotten: every notice read again (see release) */
  released: () => void;
}

export class Partitions extends RunPart {
  readonly owned = new Map<number, Owned>();
  readonly partitionOf = new Map<string, number>();
  /**
   * Publishers of the partitions assigned to this member and not claimed yet (a claim waits for the partition's
   * first batch): rows an earlier owner left in the outbox, its publish failing when it stopped, go out now rather
   * than at the next event of a quiet partition. A claim takes its partition's publisher over.
   */
  readonly unclaimed = new Map<number, OutboxPublisher>();
  /** claims under way, at assignment (claimAtAssignment) or at a batch: another of the partition waits for it (shared) */
  readonly claiming = new Map<number, Promise<void>>();
  /** partitions assigned whose claim at assignment failed, tried again (retryClaim): the run of failures, the latest's error */
  readonly unclaimedRetries = new Map<number, FailureRun & { error: string; timer: NodeJS.Timeout }>();
  /** where each partition PostgreSQL had nothing of started in this process (startOf) */
  private readonly starts = new Map<number, bigint>();
  private readonly member = `${hostname()}:${process.pid}`;
  /** the partition whose events or triggers the engine is running (see engine.linksAtOnce) */
  inHand = -1;
  /** partitions whose stored positions are not in the log, paused until claimed again (`again`: fetched for that) */
  readonly refused = new Map<number, { why: string; recheck: NodeJS.Timeout; again: boolean }>();

  constructor(
    ctx: RunContext,
    private readonly hooks: PartitionsHooks,
  ) {
    super(ctx);
  }

  /**
   * Claims a partition (fencing earlier owners), loads its merchants as of their checkpoint and starts its outbox
   * publisher. Consumption resumes at the checkpoint; events between it and the outputs' position rebuild state
   * without being emitted again. Positions past the partition's end are of another log: refused (undefined).
   */
  async claim(p: number, fetched: string | null): Promise<Owned | undefined> {
    await this.release(p, false);
    const topic = this.cfg.eventsTopic;
    const count = await this.claimStep(partitionCount(this.admin, topic));
    if (count === undefined) return undefined;
    const claim = await this.store.claim(topic, p, this.member, count);
    if (claim.partitions !== null && this.refusedCount(p, claim.partitions, count)) return undefined;
    const emitted = claim.nextOffset === null ? null : BigInt(claim.nextOffset);
    let position = claim.stateOffset === null ? null : BigInt(claim.stateOffset);
    let verify = claim.stateRecord ?? undefined;
    const all = await this.claimStep(this.admin.fetchTopicOffsets(topic));
    // claimed in PostgreSQL but nothing processed: the next owner's claim fences this one
    if (all === undefined) return undefined;
    const offsets = all.find((o) => o.partition === p);
    const low = BigInt(offsets?.low ?? "0");
    const end = BigInt(offsets?.high ?? "0");
    if (position === null && emitted === null) {
      const start = await this.claimStep(this.startOf(p, low, end, fetched));
      if (start === undefined) return undefined;
      position = start;
    } else {
      // the same log only grows (retention takes from its start): a position past its end is from another log
      const furthest = [position, emitted].reduce<bigint>((a, b) => (b !== null && b > a ? b : a), -1n);
      if (furthest > end) {
        this.refuse(p, `PostgreSQL has its events processed up to offset ${furthest}, but the partition ends at offset ${end}`);
        return undefined;
      }
      // outputs but no checkpoint yet: the state is rebuilt from the oldest event the topic still has
      if (position === null) position = low;
      else if (position < low) {
        // started at the oldest event there is, not where the consumer's reset policy would put it
        this.log.warn(
          { partition: p, stateOffset: claim.stateOffset, nextOffset: claim.nextOffset, oldest: String(low) },
          "the partition's checkpoint is older than the oldest event the topic keeps: the events between were deleted by retention unread, and what they would have changed or raised is lost. Keep the topic's retention well above the longest time the consumer may be down",
        );
        position = low;
      }
      // deleted by retention, it cannot be compared
      if (verify && BigInt(verify.offset) < low) verify = undefined;
    }
    const states = claim.stateOffset === null ? [] : await this.store.loadStates(topic, p);
    this.engine.restore(states);
    const merchants = new Set(states.map((s) => s.id));
    for (const id of merchants) this.partitionOf.set(id, p);
    const started = this.unclaimed.get(p);
    const publisher = started ?? this.startPublisher(p);
    this.unclaimed.delete(p);
    // started at assignment, it read the outbox before this claim fenced the earlier owner, which may have committed
    // rows since (a trigger's alerts between its batches): read again, or on a quiet partition they wait for its next alert
    if (started) void publisher.flush();
    const owned: Owned = {
      epoch: claim.epoch,
      position,
      emitted,
      saved: emitted,
      hits: [],
      flags: [],
      triggers: [],
      end,
      reached: 0,
      // held until the partitions' event times are read after its claim, unless no hold is asked for
      limit: this.cfg.eventTimeSlackMs === undefined ? Infinity : -Infinity,
      written: { frontier: null, atEnd: false, at: 0 },
      committing: 0,
      busy: false,
      following: false,
      last: claim.stateRecord ?? undefined,
      verify,
      publisher,
      merchants,
      dirty: new Set(),
      checkpointedAt: Date.now(),
      partitions: count,
      recount: false,
      uncounted: { upTo: 0n, consumed: 0, processed: {} },
    };
    this.owned.set(p, owned);
    // its merchants' notices held, and the merchants just loaded linked to those other processes flagged
    this.hooks.claimed();
    this.log.info({ partition: p, epoch: claim.epoch, merchants: merchants.size, stateOffset: claim.stateOffset, nextOffset: claim.nextOffset }, "partition claimed");
    // at assignment or at a batch: a claim at assignment tried again ends (retryClaim)
    this.claimRetried(p, "claimed");
    return owned;
  }

  /**
   * Claims a partition just assigned, when PostgreSQL has positions for it, rather than at its first batch: a
   * partition at its end (its owner killed or gone, the group's Kafka offset at its end) gets no batch until a new
   * event, and its merchants, not held meanwhile, were linked by no flag committed on another partition. Claimed,
   * its notices are read again and its triggers run between batches (applyTriggers); a state behind the outputs'
   * position (no checkpoint since) is rebuilt from the events Kafka is sent back to. `assigned` says the partition is
   * still this member's (a rebalance may take it during the claim): if not, the claim is let go, nothing written.
   * A partition PostgreSQL has nothing of is claimed at its first batch, which says where it starts. One that could
   * not be claimed now (PostgreSQL or the broker away) is tried again (retryClaim): at its end, no batch would claim it.
   */
  claimAtAssignment(p: number, assigned: () => boolean): void {
    if (this.owned.has(p) || this.claiming.has(p) || this.refused.has(p) || this.unclaimedRetries.has(p)) return;
    void this.claimAssigned(p, assigned);
  }

  /** One try of claimAtAssignment; a failure is tried again (retryClaim). */
  private async claimAssigned(p: number, assigned: () => boolean): Promise<void> {
    try {
      await this.shared(
        p,
        (async () => {
          if (!(await this.store.hasPositions(this.cfg.eventsTopic, p)) || !assigned()) return;
          const owned = await this.claim(p, null);
          if (!owned) return;
          if (!assigned()) {
            await this.release(p, false);
            return;
          }
          // from the record the checkpoint was taken after (compared at the first batch), else the state's position
          const from = owned.verify?.offset ?? (owned.position === null ? undefined : String(owned.position));
          if (from !== undefined && BigInt(from) < owned.end) {
            try {
              this.hooks.consumer()?.seek({ topic: this.cfg.eventsTopic, partition: p, offset: from });
            } catch {
              // not running: the restarted consumer fetches from the group's offset, and the first batch seeks (processBatch)
            }
          }
        })(),
      );
      // claimed, the retry ended in claim(); not claimed (no positions, no longer assigned, refused): no longer tried
      this.claimRetried(p);
    } catch (err) {
      this.retryClaim(p, assigned, err as Error);
    }
  }

  /**
   * A claim at assignment that failed, tried again after a backoff (CLAIM_RETRY_FIRST_MS doubling to
   * CLAIM_RETRY_LAST_MS) until the partition is claimed (here, or at a batch meanwhile), no longer assigned, or the
   * process stops. Said at the first failure and once every FAILURES_SAID_EVERY after, not at each try; /readyz
   * (claims) and moneytrail_partitions_unclaimed show it meanwhile.
   */
  private retryClaim(p: number, assigned: () => boolean, err: Error): void {
    const before = this.unclaimedRetries.get(p);
    const run = failedAgain(before);
    const retryInMs = Math.min(CLAIM_RETRY_LAST_MS, CLAIM_RETRY_FIRST_MS * 2 ** (run.failures - 1));
    const retry = {
      ...run,
      error: err.message,
      timer: setTimeout(() => {
        if (this.unclaimedRetries.get(p) !== retry) return;
        if (!assigned() || this.refused.has(p)) return this.claimRetried(p);
        // a claim under way at a batch: claimed, the retry ends there (claim); if not, it is tried again later
        const claiming = this.claiming.get(p);
        if (claiming) {
          void claiming.then(() => this.unclaimedRetries.get(p) === retry && this.retryClaim(p, assigned, err));
          return;
        }
        void this.claimAssigned(p, assigned);
      }, retryInMs).unref(),
    };
    this.unclaimedRetries.set(p, retry);
    this.metrics.partitionsUnclaimed.set({ partition: String(p) }, 1);
    if (saysFailure(run, FAILURES_SAID_EVERY))
      this.log.warn(
        { partition: p, err: err.message, retryInMs, ...after(run).fields },
        `a partition assigned could not be claimed (PostgreSQL or the broker did not answer): tried again, ${CLAIM_RETRY_FIRST_MS / 1000} s after the first failure and up to every ${CLAIM_RETRY_LAST_MS / 1000} s, until it is (said again every ${FAILURES_SAID_EVERY} failures, and when it is claimed). Meanwhile its merchants are not held here (a flag on another partition links none of them) and its position and event time stay as its previous owner left them, unless an event of it comes`,
      );
  }

  /** A claim at assignment no longer tried again: said if it had failed and `how` it ended (undefined: not claimed, as no longer needed). */
  private claimRetried(p: number, how?: string): void {
    const r = this.unclaimedRetries.get(p);
    if (!r) return;
    clearTimeout(r.timer);
    this.unclaimedRetries.delete(p);
    this.metrics.partitionsUnclaimed.remove({ partition: String(p) });
    const a = after(r);
    if (how) this.log.info({ partition: p, ...a.fields }, `the partition assigned is ${how}; its claim had failed ${r.failures} times since ${a.fields.since}`);
    else this.log.info({ partition: p, ...a.fields }, `the partition's claim at assignment is no longer tried (no longer assigned here, refused, no positions to claim, or a stop), ${a.words}`);
  }

  /** Claims at assignment no longer tried again (stop(), or their partitions no longer assigned: a rebalance). */
  stopClaimRetries(keep: readonly number[] = []): void {
    for (const p of [...this.unclaimedRetries.keys()]) if (!keep.includes(p)) this.claimRetried(p);
  }

  /** A claim under way, as `claiming` has it until it ends: one claim of a partition at a time. */
  shared<T>(p: number, work: Promise<T>): Promise<T> {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.claiming.set(p, done);
    void done.then(() => this.claiming.get(p) === done && this.claiming.delete(p));
    return work;
  }

  /**
   * A claim's call to Kafka, or undefined once a stop begins: stop() waits for the batches in hand, and a claim's
   * request to a broker that does not answer would hold it for kafkajs's timeouts and retries (minutes).
   */
  claimStep<T>(work: Promise<T>): Promise<T | undefined> {
    return Promise.race([work, this.hooks.stopSignal.then(() => undefined)]);
  }

  /**
   * Where a partition PostgreSQL has nothing of yet starts: the group's offset committed to Kafka, else the log's
   * start (MT_FROM_BEGINNING) or where Kafka's reset to the log's end put the batch claimed (`fetched`), as at this
   * process's first claim of it. Not where Kafka fetches next: claimed again after a failed first commit, that is
   * past events whose state went with the release.
   */
  private async startOf(p: number, low: bigint, end: bigint, fetched: string | null): Promise<bigint> {
    const [group] = await this.admin.fetchOffsets({ groupId: this.cfg.groupId, topics: [this.cfg.eventsTopic] });
    // an offset past the log's end is of another log (the topic recreated)
    const mine = (o: bigint | undefined) => (o !== undefined && o >= 0n && o <= end ? o : undefined);
    const committed = mine(BigInt(group?.partitions.find((o) => o.partition === p)?.offset ?? "-1"));
    const start = committed ?? mine(this.starts.get(p)) ?? (this.cfg.fromBeginning ? low : fetched === null ? end : BigInt(fetched));
    this.starts.set(p, start);
    // retention may have taken it since
    return start < low ? low : start;
  }

  /** Partition p's outbox publisher, started. */
  startPublisher(p: number): OutboxPublisher {
    // at 0 from the start: a series that appears at its first failure shows no increase (metrics.ts, fromZero)
    this.metrics.publishFailures.inc({ partition: String(p) }, 0);
    const publisher = new OutboxPublisher(
      this.kafka,
      this.admin,
      this.store,
      { groupId: this.cfg.groupId, sourceTopic: this.cfg.eventsTopic, partition: p, alertsTopic: this.cfg.alertsTopic, deadLetterTopic: this.cfg.deadLetterTopic },
      this.log,
      {
        published: (dest, n) => this.metrics.published.inc({ dest }, n),
        transaction: (seconds) => this.metrics.publishSeconds.observe(seconds),
        failed: () => this.metrics.publishFailures.inc({ partition: String(p) }),
      },
    );
    // not waited for: its producer takes three round trips to start, and the outputs of the events processed
    // meanwhile wait in the outbox (publisher.ts)
    void publisher.start();
    return publisher;
  }

  /** Forgets a partition's merchants and stops its publisher (its state is in PostgreSQL; see publisher.stop). */
  async release(p: number, save: boolean, publishWaitMs?: number): Promise<void> {
    if (save && this.owned.has(p)) await this.hooks.checkpoint([p]).catch((err: Error) => this.log.warn({ err: err.message, partition: p }, "checkpoint on release failed"));
    const owned = this.owned.get(p);
    if (!owned) return;
    this.owned.delete(p);
    // another member reports this partition's lag now: a series left here would stay at its last value for good
    this.metrics.lag.remove({ partition: String(p) });
    this.engine.evict(owned.merchants);
    for (const id of owned.merchants) this.partitionOf.delete(id);
    // its flagged merchants' keys went with them, while they stay flagged on their new owner: marked again from their
    // notices (a read begun at the rebalance, before this, found them held here)
    this.hooks.released();
    await this.stopPublisher(p, owned.publisher, publishWaitMs);
  }

  /** Stops partition p's publisher (see publisher.stop); a failure is logged, its rows stay in the outbox. */
  stopPublisher(p: number, publisher: OutboxPublisher, waitMs?: number): Promise<void> {
    return publisher.stop(waitMs).catch((err: Error) => this.log.warn({ err: err.message, partition: p }, "publisher stop failed"));
  }

  /** The publishers of the partitions this process holds, claimed or not yet. */
  publishers(): (readonly [number, OutboxPublisher])[] {
    return [...[...this.owned].map(([p, o]) => [p, o.publisher] as const), ...this.unclaimed];
  }

  /**
   * Stops consuming a partition whose stored positions are not in its log: the topic was deleted and recreated, or
   * the cluster replaced, while PostgreSQL kept them, and the events of the new log below them would be skipped
   * unread. Nothing is consumed or written for it (its events are not lost: they stay in the log); the operator
   * resets its positions, and it is claimed again every REFUSED_RECHECK_MS until that is done.
   */
  refuse(p: number, why: string, todo = this.resetTodo()): void {
    const topic = this.cfg.eventsTopic;
    clearTimeout(this.refused.get(p)?.recheck);
    this.fetching(p, false);
    // still refused (and /readyz says so) while it is claimed again
    const refusal = {
      why,
      again: false,
      recheck: setTimeout(() => {
        refusal.again = true;
        this.fetching(p, true);
      }, REFUSED_RECHECK_MS).unref(),
    };
    this.refused.set(p, refusal);
    this.log.error({ partition: p, topic, group: this.cfg.groupId, refused: why }, `${todo} Checked again every ${REFUSED_RECHECK_MS / 1000} s`);
  }

  /** What to do about positions that are not in the topic's log. */
  private resetTodo(): string {
    return `the positions stored for this partition are not in the topic's log: it was deleted and recreated, or the cluster replaced, since they were written. Its events are not consumed (none are skipped) until they are reset: \`moneytrail db reset-positions --group-id ${this.cfg.groupId} --topic ${this.cfg.eventsTopic} --keep-state\` if the new log holds only events not seen before (a topic recreated empty), or --forget-state if it holds the old events again (a mirrored or restored cluster: state is rebuilt from them).`;
  }

  /**
   * A partition of a topic whose partition count is not the one the group's positions were recorded with: refused,
   * saying what to do (undefined: the count is the recorded one). Kafka puts a key on its hash modulo the count, so
   * with partitions added most merchants' events go to another partition than the one their state is kept with.
   */
  refusedCount(p: number, recorded: number, now: number): true | undefined {
    if (recorded === now) return undefined;
    this.refuse(
      p,
      `the events topic has ${now} partitions, but the group's positions and merchants' state were recorded with ${recorded}: a merchant's events now go to another partition than the one its state and windows are kept with`,
      `partitions were added to the events topic: its events are not consumed (none are skipped: they stay in the log, within its retention), as a merchant's would be taken without its history, or counted twice. Kafka cannot take partitions away: copy the topic's events, a partition at a time in offset order and keyed by merchantId, to a new topic of ${recorded} partitions, point the producers and MT_EVENTS_TOPIC at it, and start again (the group rebuilds the merchants' state from it). A topic deleted and made again with another count is not this: reset its positions (\`moneytrail db reset-positions --group-id ${this.cfg.groupId} --topic ${this.cfg.eventsTopic} --keep-state\` or --forget-state).`,
    );
    return true;
  }

  /** A refused partition no longer so: given up, or its positions found in the log when claimed again. */
  unrefuse(p: number): void {
    const r = this.refused.get(p);
    if (!r) return;
    clearTimeout(r.recheck);
    this.refused.delete(p);
    this.fetching(p, true);
  }

  /** Pauses or resumes fetching a partition. */
  private fetching(p: number, on: boolean): void {
    const tp = [{ topic: this.cfg.eventsTopic, partitions: [p] }];
    try {
      if (on) this.hooks.consumer()?.resume(tp);
      else this.hooks.consumer()?.pause(tp);
    } catch {
      // not running (kafkajs gave up, the restart has not come round): the restarted consumer fetches every
      // partition, and a batch of a refused one pauses it again (takeBatch)
    }
  }

}
