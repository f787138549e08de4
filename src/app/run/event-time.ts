// Event-time alignment across partitions: while a backlog is caught up, partitions run apart in event time, and a
// merchant on a partition ahead was evaluated before an earlier flag on a partition behind was known (replay: after
// it). Each partition's owner records in mt_partitions, with its writes, how far its notices go in event time and
// whether it is at its end (PgStore.commitOutputs); each process reads those rows with the notices, and a partition
// whose next event is later than the least advanced other partition with a backlog (plus MT_EVENT_TIME_SLACK_MS) is
// held there until that partition passes it. A partition whose owner has not written for MT_EVENT_TIME_MAX_STALL_MS
// (gone, or stuck) is passed over, so it cannot stall the rest for good.
import type { PgStore } from "../../sinks/postgres/store.js";
import { RunPart, type RunContext } from "./context.js";
import type { Owned, Partitions } from "./partitions.js";

/**
 * The partitions' event times as read, and the partitions this process held when they were: one claimed since has its
 * merchants' notices read again from the start (Notices.claimed), and is held until a read after that.
 */
export interface EventTimes {
  rows: Awaited<ReturnType<PgStore["eventTimes"]>>;
  claimed: ReadonlySet<Owned>;
}

/** A partition held at an event later than the others allow. */
interface Hold {
  owned: Owned;
  /** the held event's time (epoch ms) */
  at: number;
  resume: () => void;
}

/**
 * The event time up to which a partition's notices are all written, as its owner records it: where it is held, its
 * next event's time (everything before it is processed); else its latest event's (null: none since the claim).
 */
export const frontierOf = (o: Owned): number | null => o.held ?? (o.reached || null);

/** Whether a partition is consumed to its end (as its latest fetch saw the end), for what its owner records. */
export const atEndOf = (o: Owned): boolean => o.held === undefined && o.position !== null && o.position >= o.end;

/**
 * How often, while a partition of this process is held, event times are written and read (rather than every second):
 * a hold lasts a round of them at least, and partitions catching up in step go round many times.
 */
export const EVENT_TIME_READ_MS = 200;

/**
 * kafkajs's fetch wait while a hold is asked for (a second otherwise, source/kafka.ts): when every partition it
 * fetches is paused it sleeps that long before it looks again, so a partition let go waited for it. bench:kafka at a
 * day's slack, alternating with the second's (2026-12-07, a loaded machine): one process 4.7k and 3.6k events/s
 * against 2.8k and 1.5k, two 3.3k and 3.7k against 2.0k and 2.6k. A member at its end fetches five times a second.
 */
export const EVENT_TIME_FETCH_WAIT_MS = 200;

export class EventTime extends RunPart {
  private readonly holds = new Map<number, Hold>();
  private timer?: NodeJS.Timeout;

  constructor(
    ctx: RunContext,
    private readonly partitions: Partitions,
    /** writes this process's event times, then reads the partitions' (with the notices) */
    private readonly round: () => Promise<void>,
  ) {
    super(ctx);
  }

  /** Stops the rounds (stop()). */
  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * The partitions' rows, read before the notices: a frontier read is one whose notices the read after it finds.
   * Not read with no hold asked for (apply uses none of them then).
   */
  async read(): Promise<EventTimes> {
    const claimed = new Set(this.partitions.owned.values());
    if (this.cfg.eventTimeSlackMs === undefined) return { rows: [], claimed };
    return { rows: await this.store.eventTimes(this.cfg.eventsTopic, this.cfg.eventTimeMaxStallMs), claimed };
  }

  /**
   * Sets each partition's limit from the rows (after their notices are applied) and resumes those held that it lets
   * go: the least advanced other partition with a backlog, plus the slack. A partition at its end holds no one back
   * (its next events are new); one whose owner has not written it for the maximum stall is passed over, and a hold
   * that ends only because of that is counted as passed over.
   */
  apply({ rows, claimed }: EventTimes): void {
    const slack = this.cfg.eventTimeSlackMs;
    if (slack === undefined) return;
    const behind = rows.filter((r) => !r.atEnd);
    for (const [p, owned] of this.partitions.owned) {
      if (!claimed.has(owned)) continue;
      owned.limit = this.earliest(behind, p, false) + slack;
      const hold = this.holds.get(p);
      if (!hold) continue;
      if (hold.owned !== owned) this.letGo(p, hold);
      else if (hold.at <= owned.limit) {
        this.metrics.eventTimeHolds.inc({ ended: hold.at <= this.earliest(behind, p, true) + slack ? "caught-up" : "passed-over" });
        owned.held = undefined;
        this.letGo(p, hold);
      }
    }
    // holds of partitions given up since (a rebalance): resumed, so a partition assigned here again is fetched
    for (const [p, hold] of this.holds) if (this.partitions.owned.get(p) !== hold.owned) this.letGo(p, hold);
  }

  /**
   * Holds partition p at an event at `at` (epoch ms), its fetching paused there (the offset left unresolved, so it is
   * fetched again from it), until the others' event time lets it go (apply), which calls `resume`. A batch held in
   * hand instead would hold up kafkajs's next fetch, which waits for every batch of the one before: the partition
   * behind among them.
   */
  hold(p: number, owned: Owned, at: number, resume: () => void): void {
    owned.held = at;
    this.holds.get(p)?.resume();
    this.holds.set(p, { owned, at, resume });
    this.timer ??= setInterval(() => void this.round(), EVENT_TIME_READ_MS).unref();
  }

  /**
   * Whether a partition about to be held at `at` may go on after one round of event times (its own written, the
   * others' read): partitions catching up together leapfrog this way within their batches. A pause costs more: a
   * fetch again, and kafkajs sleeps a fetch's wait (a second) when every partition is paused.
   */
  async passes(owned: Owned, at: number): Promise<boolean> {
    owned.held = at;
    await this.round();
    return at <= owned.limit;
  }

  private letGo(p: number, hold: Hold): void {
    this.holds.delete(p);
    hold.resume();
    if (this.holds.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The earliest frontier of the rows other than p's (-Infinity: one has written none yet; Infinity: none), stale ones too if `all`. */
  private earliest(rows: EventTimes["rows"], p: number, all: boolean): number {
    let min = Infinity;
    for (const r of rows) if (r.partition !== p && (all || !r.stale)) min = Math.min(min, r.reachedAt ?? -Infinity);
    return min;
  }
}
