// Merchant state checkpointed apart from the outputs, a partition at a time: the changed merchants of a partition as
// of its position, serialised in slices between the chunks and written in one statement, fenced by its epoch.
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Logger } from "../../lib/log.js";
import type { Profile } from "../../state/merchant.js";
import { FencedError, type Checkpoint } from "../../sinks/postgres/store.js";
import { RunPart, type RunContext } from "./context.js";
import type { Commits } from "./commits.js";
import { checkpointable, type Owned, type Partitions } from "./partitions.js";
import { Retried } from "./retried.js";

/** A checkpoint being serialised: a partition's changed merchants as of one position, written in slices. */
interface Cut {
  partition: number;
  /** merchants not serialised yet: one that an event is about to change is serialised first (engine.beforeChange) */
  pending: Set<string>;
  rows: string[];
  profiles: Profile[];
}

/** Merchants serialised between two turns of the event loop during a checkpoint. */
const SERIALISE_SLICE = 200;

export class Checkpoints extends RunPart {
  private lastCheckpoint = Date.now();
  private checkpointing: Promise<void> = Promise.resolve();
  /** the checkpoint being serialised; one at a time (checkpoint()) */
  private cut?: Cut;
  /**
   * Profiles as written by a checkpoint. A merchant's row is rewritten at every checkpoint, its profile (a third of
   * it) only when it is a new one: applyProfile makes a new object for every profile event.
   */
  private readonly savedProfiles = new WeakSet<Profile>();
  private checkpointPending = false;
  /** checkpoints written since the start, and those in turn failing in a row (checkpointInTurn says so) */
  private checkpointsWritten = 0;
  private readonly checkpointsRetried = new Retried("error", "checkpoint failed; its merchants stay marked and go with the next one", "checkpoints are written again");

  constructor(
    ctx: RunContext,
    private readonly partitions: Partitions,
    private readonly commits: Commits,
  ) {
    super(ctx);
  }

  /** engine.beforeChange: a merchant the checkpoint being serialised has not written yet is written first. */
  beforeChange(id: string): void {
    const cut = this.cut;
    if (cut !== undefined && cut.pending.has(id)) this.serialiseOne(cut, id);
  }

  /** Serialises every merchant the checkpoint under way has not written yet, before a change to all of them. */
  serialisePending(): void {
    const cut = this.cut;
    if (cut !== undefined) for (const id of cut.pending) this.serialiseOne(cut, id);
  }

  /**
   * Writes the changed merchants' state of the given partitions (all owned ones by default) whose outputs are done
   * up to their position. One at a time: a checkpoint that ran beside another would find the changed merchants
   * already taken and record a position for state it never wrote.
   */
  checkpoint(partitions?: number[]): Promise<void> {
    const run = this.checkpointing.then(() => this.checkpointNow(partitions ?? [...this.partitions.owned.keys()]));
    this.checkpointing = run.catch(() => undefined);
    return run;
  }

  private async checkpointNow(partitions: number[]): Promise<void> {
    this.sortDirty();
    for (const p of partitions) {
      const owned = this.partitions.owned.get(p);
      if (!owned || !checkpointable(owned)) continue;
      // The rule hits and flag notices of chunks without outputs wait in memory for the position's save. They are
      // written with the position first: a checkpoint ahead of the saved position would have a restart skip their
      // events, and they would be lost. Begun at the cut, before the state is serialised, with a handler at once.
      const cutAt = owned.position;
      const positionSaved = owned.saved === cutAt && owned.flags.length === 0 ? undefined : this.commits.savePosition(p, owned, cutAt).then(() => undefined, (err: Error) => err);
      const write = await this.serialise(p, owned);
      try {
        const failed = await positionSaved;
        if (failed) throw failed;
        // given up while serialised (a failed commit, a rebalance): its merchants are gone, and the rows are not all there
        if (this.partitions.owned.get(p) !== owned) continue;
        await this.store.checkpoint(write);
        this.checkpointsWritten++;
        // what the latest checkpoint wrote: one that failed wrote nothing
        this.metrics.checkpointBytes.set(write.states.length);
        this.metrics.checkpointMerchants.set(write.merchants.length);
        for (const profile of write.profiles) this.savedProfiles.add(profile);
      } catch (err) {
        if (this.partitions.owned.get(p) === owned) for (const id of write.merchants) owned.dirty.add(id);
        if (!(err instanceof FencedError)) {
          // the merchants go with the next one; until one lands, a crash replays more events (retention permitting)
          this.metrics.checkpointFailures.inc();
          throw err;
        }
        this.metrics.fenced.inc();
        // not a claim made since (the partition given up and taken again while this was written)
        if (this.partitions.owned.get(p) === owned) await this.partitions.release(p, false);
      }
    }
  }

  /**
   * A partition's changed merchants as of its position, in slices between which every partition's chunks go on. A
   * merchant that an event is about to change is serialised first (engine.beforeChange), so each row is its state
   * at the position recorded. No chunk waits for a checkpoint: kafkajs fetches again only once every batch of a
   * fetch is done, so one partition waiting for its state to be serialised (40-120 ms at 5,000 events/s) held all.
   */
  private async serialise(p: number, owned: Owned): Promise<Checkpoint & { merchants: string[]; profiles: Profile[] }> {
    const cut: Cut = { partition: p, pending: owned.dirty, rows: [], profiles: [] };
    const merchants = [...cut.pending];
    owned.dirty = new Set();
    owned.checkpointedAt = Date.now();
    const stateOffset = String(owned.position);
    const stateRecord = owned.last;
    this.cut = cut;
    try {
      let n = 0;
      for (const id of cut.pending) {
        this.serialiseOne(cut, id);
        if (++n % SERIALISE_SLICE === 0) await yieldToLoop();
      }
    } finally {
      this.cut = undefined;
    }
    return { topic: this.cfg.eventsTopic, partition: p, epoch: owned.epoch, stateOffset, stateRecord, states: `[${cut.rows.join(",")}]`, merchants, profiles: cut.profiles };
  }

  serialiseOne(cut: Cut, id: string): void {
    cut.pending.delete(id);
    const m = this.engine.merchants.get(id);
    if (!m) return;
    const { profile, ...state } = this.engine.snapshot(m);
    const changed = profile !== undefined && !this.savedProfiles.has(profile);
    if (changed) cut.profiles.push(profile);
    cut.rows.push(JSON.stringify({ m: m.id, p: cut.partition, s: state, ...(changed && { pr: profile }) }));
  }

  /**
   * The partitions take turns: one is checkpointed every checkpointMs / (partitions owned), the one written longest
   * ago, so each is written about every checkpointMs. Serialising a partition's state holds the event loop, and one
   * partition's share keeps that pause short where all of them at once held every alert in hand for hundreds of ms.
   */
  checkpointInTurn(log: Logger, quiet = false): void {
    if (this.checkpointPending || this.partitions.owned.size === 0) return;
    const now = Date.now();
    if (now - this.lastCheckpoint < this.cfg.checkpointMs / this.partitions.owned.size) return;
    // in a quiet spell only a partition with changes to save is written: an idle one's checkpoint stays as it is
    if (quiet) this.sortDirty();
    let oldest: number | undefined;
    for (const [p, o] of this.partitions.owned)
      if ((!quiet || (o.dirty.size > 0 && checkpointable(o))) && (oldest === undefined || o.checkpointedAt < this.partitions.owned.get(oldest)!.checkpointedAt)) oldest = p;
    if (oldest === undefined) return;
    this.checkpointPending = true;
    this.lastCheckpoint = now;
    const written = this.checkpointsWritten;
    void this.checkpoint([oldest])
      .then(
        () => {
          // one that wrote nothing (no partition checkpointable) says nothing of PostgreSQL
          if (this.checkpointsWritten > written) this.checkpointsRetried.succeeded(log);
        },
        (err: Error) => this.checkpointsRetried.failed(log, err),
      )
      .finally(() => (this.checkpointPending = false));
  }

  /** The merchants the engine changed since the last call, added to their partitions' changed merchants. */
  sortDirty(): void {
    for (const id of this.engine.takeDirty()) {
      const part = this.partitions.partitionOf.get(id);
      if (part !== undefined) this.partitions.owned.get(part)?.dirty.add(id);
    }
  }
}
