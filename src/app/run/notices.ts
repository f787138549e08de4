// Flag notices across processes: the notices of every process read from mt_flags, their keys marked flagged here and
// the merchants held here that share one alerted (applyTriggers); notices made outside a chunk held for their
// partition's next write; and the merchants whose account the bank closed, read from the case store.
import type { Alert } from "../../decode/events.js";
import { terminatedMerchants } from "../../cases/store.js";
import { FencedError, FLAGS_PAGE, FLAGS_START, type FlagCursor, type OutboxMessage, type PgStore } from "../../sinks/postgres/store.js";
import { FlagNotice, hasKey, infraKeys } from "../../state/infra.js";
import { RunPart, type RunContext } from "./context.js";
import { alertMessage, type Commits } from "./commits.js";
import type { Owned, Partitions, Trigger } from "./partitions.js";
import { Retried } from "./retried.js";
import type { EventTime } from "./event-time.js";
import { parseTime } from "../../lib/time.js";

/** An alert a trigger raised, with the event that flagged the merchant its peer is linked to. */
export interface Raised {
  a: Alert;
  eventId: string;
}

/** How often the merchants whose account the bank closed (cases closed as account_closed) are read again. */
export const TERMINATED_READ_MS = 5000;

/** What the notices ask of the rest of the Runner. */
export interface NoticesHooks {
  /** this member is in the consumer group */
  joined: () => boolean;
  /** stop() has begun */
  stopping: () => boolean;
}

export class Notices extends RunPart {
  /** the last mt_flags row read; back to the start when the partitions held change, so that every notice is seen again */
  flagsRead: FlagCursor = FLAGS_START;
  pollingFlags?: Promise<void>;
  private pollAgain = false;
  private readonly flagReadsRetried = new Retried("warn", "flag notices not read; trying again in a second", "flag notices are read again");
  /** the merchants whose account was closed as last put in force, sorted and joined: a read that finds the same changes nothing */
  private terminatedDigest = "";
  readingTerminated?: Promise<void>;

  constructor(
    ctx: RunContext,
    private readonly partitions: Partitions,
    private readonly commits: Commits,
    private readonly eventTime: EventTime,
    private readonly hooks: NoticesHooks,
  ) {
    super(ctx);
  }

  /** A partition claimed: its merchants' notices are held, and the merchants just loaded linked to those other processes flagged. */
  claimed(): void {
    this.holdNotices();
    this.flagsRead = FLAGS_START;
  }

  /** Every notice read again, from the start, at the next read. */
  readAgain(): void {
    this.flagsRead = FLAGS_START;
  }

  /**
   * The merchants with a case closed as account_closed, read from the case store and put in force when they changed
   * (engine.replaceTerminated): each stays flagged for shared infrastructure while its case is so closed, whatever
   * the rules and indicators say, and its flag notice is written on its own partition, so other processes link to it.
   * A read that fails leaves the list in force and is tried again at the next.
   */
  readTerminated(): Promise<void> {
    return (this.readingTerminated ??= terminatedMerchants(this.db)
      .then((rows) => {
        const ids = rows.map((r) => r.merchantId).sort();
        const digest = ids.join("\n");
        // no change once the stop begins (the checkpoint must not see flags change under it)
        if (digest === this.terminatedDigest || this.hooks.stopping()) return;
        // a merchant it flags or unflags goes through engine.beforeChange first, as for an event, so a checkpoint being
        // serialised writes it as it was
        this.engine.replaceTerminated(ids);
        this.holdNotices();
        this.terminatedDigest = digest;
        this.log.info({ terminated: ids.length }, "merchants whose account was closed in force: flagged for shared infrastructure");
      })
      .catch((err: Error) => this.log.warn({ err: err.message }, `merchants whose account was closed not read; the list in force stays, read again in ${TERMINATED_READ_MS / 1000} s`))
      .finally(() => (this.readingTerminated = undefined)));
  }

  /**
   * The notices of merchants no longer flagged without an event of theirs (engine.recheckFlag: a reload, a restore,
   * an indicator revoked, or expired by another merchant's event), made outside any chunk or in another partition's:
   * each waits on its merchant's partition and is written with its position, within a second (savePositions) and
   * before the state that has it unflagged is checkpointed, fenced by its epoch.
   */
  holdNotices(notices = this.engine.takeFlags()): void {
    for (const n of notices) {
      const p = this.partitions.partitionOf.get(n.merchantId);
      if (p !== undefined) this.partitions.owned.get(p)?.flags.push(n);
    }
  }

  /**
   * Reads the flag notices written since the last read (mt_flags), by this process and others, and marks their keys
   * flagged here; merchants held here that share one, on another partition than the flagged merchant's, are queued
   * on their partitions, whose triggers are then applied.
   */
  pollFlags(): Promise<void> {
    // out of the group (the consumer stopped on an error) nothing is read, which says nothing of PostgreSQL
    const reads = this.hooks.joined();
    return (this.pollingFlags ??= this.pollFlagsNow()
      .then(
        () => {
          if (reads) this.flagReadsRetried.succeeded(this.log);
        },
        (err: Error) => this.flagReadsRetried.failed(this.log, err),
      )
      .finally(() => {
        this.pollingFlags = undefined;
        if (this.pollAgain) this.pollFlagsSoon();
      }));
  }

  /** A read of the notices now, or right after the one under way (which may have begun before the newest commit). */
  pollFlagsSoon(): void {
    this.pollAgain = this.pollingFlags !== undefined;
    if (!this.pollAgain) void this.pollFlags();
  }

  private async pollFlagsNow(): Promise<void> {
    if (!this.hooks.joined()) return;
    // the partitions' event times before the notices: each notice within a frontier read is among those read after
    const times = await this.eventTime.read();
    // every page read before any is applied: read again from the start (a claim, a rebalance), a merchant's old notice
    // flagging its keys and its later one dropping them may be pages apart, and events are processed between pages
    const from = this.flagsRead;
    const rows: Awaited<ReturnType<PgStore["flagsSince"]>> = [];
    for (let after = from; ; ) {
      const page = await this.store.flagsSince(after);
      rows.push(...page);
      if (page.length < FLAGS_PAGE) break;
      after = page.at(-1)!;
    }
    const last = rows.at(-1);
    // sent back to the start while this read was under way (a claim): read again from there next
    if (this.flagsRead !== from) this.pollAgain = true;
    else if (last) this.flagsRead = { xid: last.xid, seq: last.seq };
    const notices = rows.flatMap((r) => {
      const n = FlagNotice.safeParse(r.notice);
      if (n.success) return [{ notice: n.data, partition: r.partition }];
      this.log.warn({ xid: r.xid, seq: r.seq, reason: n.error.message }, "flag notice skipped: not a flag notice");
      return [];
    });
    // A merchant flagged elsewhere may be flagged because its account was closed, which its process read before this
    // one's next read (every TERMINATED_READ_MS): the list is read first, so its peers' findings name it terminated.
    if (notices.some(({ notice }) => notice.keys.length)) {
      await this.readingTerminated;
      await this.readTerminated();
    }
    for (const { notice, partition } of notices) {
      if (notice.dropped?.length || notice.keys.length === 0) this.droppedSince(notice);
      for (const peer of this.flagNoticed(notice)) {
        const q = this.partitions.partitionOf.get(peer);
        // peers on the flagged merchant's own partition are linked by its events (engine.linksAtOnce), replayed too
        if (q !== undefined && q !== partition) this.partitions.owned.get(q)?.triggers.push({ notice, peer });
      }
    }
    for (const [q, owned] of this.partitions.owned)
      if (owned.triggers.length && !owned.busy && !owned.applying) owned.applying = this.applyTriggers(q, owned).finally(() => (owned.applying = undefined));
    // partitions held are let go once the notices up to their event are applied
    this.eventTime.apply(times);
  }

  /**
   * Merchants whose evaluation passed over a flag later in event time than their event (their partition behind the
   * flag's): each is linked by the flag's notice, as replay links it at the flag, once the notices are next read
   * (applyTriggers), if its partition holds it still.
   */
  ahead(links: { peer: string; notice: FlagNotice }[]): void {
    for (const { peer, notice } of links) {
      const owned = this.partitions.owned.get(this.partitions.partitionOf.get(peer) ?? -1);
      if (!owned) continue;
      const same = owned.triggers.find((t) => t.peer === peer && t.notice.merchantId === notice.merchantId && t.notice.eventId === notice.eventId);
      if (!same) owned.triggers.push({ notice, peer });
      else if (!hasKey(same.notice.keys, notice.keys[0]!)) same.notice = { ...same.notice, keys: [...same.notice.keys, ...notice.keys] };
    }
  }

  /** The earliest flag (epoch ms, event time) of the partition's triggers that may run now; Infinity: none. */
  nextDue(owned: Owned): number {
    let due = Infinity;
    for (const t of owned.triggers) if (!this.waits(t)) due = Math.min(due, parseTime(t.notice.occurredAt));
    return due;
  }

  /**
   * Runs, within a chunk of the partition's events, its triggers at flags earlier than `at`, the time of the event about
   * to be processed, in the flags' order: replay linked the peers before that event. Returns their alerts, each with
   * the event that flagged the merchant it is linked to; the chunk commits them.
   */
  applyDue(owned: Owned, at: number): Raised[] {
    const due = owned.triggers.filter((t) => !this.waits(t) && parseTime(t.notice.occurredAt) < at);
    owned.triggers = owned.triggers.filter((t) => !due.includes(t));
    due.sort((x, y) => parseTime(x.notice.occurredAt) - parseTime(y.notice.occurredAt));
    return this.raise(due);
  }

  /** The alerts of the triggers, in their order, each with the event that flagged the merchant its peer is linked to. */
  private raise(triggers: readonly Trigger[]): Raised[] {
    const raised: Raised[] = [];
    for (const t of triggers) for (const a of this.engine.triggerPeers(t.notice, [t.peer], t.droppedAt)) raised.push({ a, eventId: t.notice.eventId });
    return raised;
  }

  /**
   * The triggers' alerts not recorded already, and their messages: after a restart or a rebalance every notice is read
   * again, and a merchant restored from a checkpoint older than its alert raises it again, with the same id. Rejects
   * when PostgreSQL does not answer (applyDue's caller and applyTriggers each handle that their way).
   */
  async unrecorded(raised: readonly Raised[]): Promise<{ alerts: Alert[]; messages: OutboxMessage[] }> {
    const recorded = await this.store.recordedAlerts(raised.map((r) => r.a.alertId));
    const fresh = raised.filter((r) => !recorded.has(r.a.alertId));
    return { alerts: fresh.map((r) => r.a), messages: fresh.map((r) => alertMessage(r.a, { "mt-event-id": r.eventId })) };
  }

  /**
   * A trigger of a merchant unflagged here since, whose notice dropping its keys is not read yet (a later chunk's,
   * being committed): it waits for that notice to say when (droppedSince).
   */
  private waits(t: Trigger): boolean {
    return t.droppedAt === undefined && this.unflaggedHere(t.notice.merchantId);
  }

  /**
   * A trigger of a flag later in event time than its partition has come, while the partition has a backlog (a claim, a
   * catch-up): its chunk runs it before its first event later than the flag (applyDue), as replay runs it, not now on
   * the peer's state from before its events up to the flag. Caught up, the partition's next events are newer: it runs now.
   */
  private early(owned: Owned, t: Trigger): boolean {
    return owned.position !== null && owned.position < owned.end && parseTime(t.notice.occurredAt) > owned.reached;
  }

  /**
   * A notice that drops a merchant's keys, read while triggers of its earlier notices wait on their partitions (a
   * backlog caught up in one chunk: flagged and unflagged in one read of the notices, or a partition busy): they still
   * link the peers that held the keys while it was flagged (engine.triggerPeers).
   */
  private droppedSince(drop: FlagNotice): void {
    const at = parseTime(drop.occurredAt);
    for (const owned of this.partitions.owned.values()) for (const t of owned.triggers) if (t.notice.merchantId === drop.merchantId) t.droppedAt ??= at;
  }

  /**
   * Marks a notice's keys flagged and unmarks those it drops; returns the merchants held here that share one. A
   * merchant held here has its flags from its own events, which may be newer than the notice: only keys it still
   * holds are marked (an old notice must not flag again a key dropped since), and keys are unmarked only while it is
   * not flagged here (notices read again from the start: its notice of no longer being flagged undoes the older one).
   * Once its partition has processed again every event whose notices are committed, a merchant not flagged here is
   * not flagged at all: none of its notices flags a key (read again from the start, its old flag notice would link
   * merchants until its later notice is read, or, unflagged a moment ago, written).
   */
  private flagNoticed(n: FlagNotice): string[] {
    const held = this.engine.merchants.get(n.merchantId);
    if (!held) return this.engine.flagRemote(n);
    if (this.unflaggedHere(n.merchantId)) {
      this.engine.flagRemote({ ...n, keys: [], dropped: [...n.keys, ...(n.dropped ?? [])] });
      // its peers are linked still if a later notice says when it was unflagged (droppedSince)
      return this.engine.infra.sharers(n.merchantId, n.keys);
    }
    const now = infraKeys(held.profile);
    return this.engine.flagRemote({ ...n, keys: n.keys.filter((k) => hasKey(now, k)), dropped: held.flagged ? undefined : n.dropped });
  }

  /** The merchant is held here and not flagged, and its partition has processed again what its claim found committed. */
  private unflaggedHere(merchantId: string): boolean {
    const held = this.engine.merchants.get(merchantId);
    return held !== undefined && !held.flagged && !this.rebuilding(merchantId);
  }

  /** The merchant's partition is processing again events whose outputs (and notices) were committed before its claim. */
  private rebuilding(merchantId: string): boolean {
    const p = this.partitions.partitionOf.get(merchantId);
    const owned = p === undefined ? undefined : this.partitions.owned.get(p);
    return owned !== undefined && owned.emitted !== null && (owned.position === null || owned.position < owned.emitted);
  }

  /**
   * Runs the peer-flagged rules of a partition's merchants linked to merchants flagged elsewhere and commits their
   * alerts at the partition's position, between its batches. An alert already recorded is left out: after a
   * restart or a rebalance every notice is read again, and a merchant restored from a checkpoint older than its
   * alert raises it again, with the same id.
   */
  private async applyTriggers(p: number, owned: Owned): Promise<void> {
    const triggers = owned.triggers;
    owned.triggers = [];
    if (owned.saved === null) {
      // nothing of this partition committed yet: its first chunk will be
      owned.triggers = triggers;
      return;
    }
    this.partitions.inHand = p;
    const ready: Trigger[] = [];
    for (const t of triggers) (this.waits(t) || this.early(owned, t) ? owned.triggers : ready).push(t);
    const raised = this.raise(ready);
    for (const h of this.engine.takeHits()) owned.hits.push(h);
    for (const f of this.engine.takeFlags()) owned.flags.push(f);
    if (raised.length === 0 && owned.hits.length === 0 && owned.flags.length === 0) return;
    try {
      const fresh = await this.unrecorded(raised);
      const written = await this.commits.commit(p, owned, owned.saved, fresh.alerts, fresh.messages);
      this.commits.countAlerts(fresh.alerts);
      if (written.length) void owned.publisher.flush(written);
    } catch (err) {
      // memory is now ahead of PostgreSQL: forget it; the next batch claims again, and the notices are read again
      if (err instanceof FencedError) this.metrics.fenced.inc();
      else this.log.warn({ err: (err as Error).message, partition: p }, "alerts of merchants flagged elsewhere not committed; the partition is claimed again");
      if (this.partitions.owned.get(p) === owned) await this.partitions.release(p, false);
    }
  }
}
