// PostgreSQL as the consumer's memory. Per chunk, one transaction writes the outputs (alerts, cases, outbox) and
// the position they are done up to; every few seconds, a checkpoint writes the changed merchants' state and the
// position it is as of. A partition's epoch fences a consumer that has lost it: its next write finds a newer
// epoch and is refused, so it cannot overwrite the new owner's work.
import type pg from "pg";
import type { IHeaders } from "kafkajs";
import type { Alert } from "../../decode/events.js";
import type { StoredMerchant } from "../../state/merchant.js";
import { recordArgs, recordCall } from "../../cases/record.js";
import type { RuleHit } from "../../engine.js";
import type { FlagNotice } from "../../state/infra.js";
import { poolDb, type Db, type Queryable } from "../../cases/db.js";
import { CONSOLE, writeAudit } from "../../cases/store.js";
import type { SkipDecision } from "../../source/kafka.js";

export class FencedError extends Error {
  constructor(topic: string, partition: number, mine: string, current: string) {
    super(`partition ${topic}[${partition}] was claimed by another consumer (epoch ${current}, ours ${mine}); this batch is discarded`);
    this.name = "FencedError";
  }
}

export interface Claim {
  topic: string;
  partition: number;
  epoch: string;
  /** outputs (alerts, cases, dead letters) are done up to here; null when this group never committed */
  nextOffset: string | null;
  /** the partition's merchant state is as of this offset; null when never checkpointed */
  stateOffset: string | null;
  /** the last record that state includes, to be found again at its offset in the log (null: not recorded) */
  stateRecord: RecordMark | null;
  outboxSeq: string;
  /**
   * the events topic's partition count the group's positions and merchant state were recorded with (null: none
   * recorded yet, or only before migration 11): merchants are spread over the partitions by their key's hash
   */
  partitions: number | null;
}

/** A record of the events topic, as much of it as tells it from a record of another log at the same offset. */
export interface RecordMark {
  offset: string;
  /** the record's timestamp (ms), as Kafka gives it */
  timestamp: string;
  key: Buffer | null;
}

export interface OutboxMessage {
  dest: "alerts" | "dead-letter";
  key: Buffer | null;
  value: Buffer;
  /** as kafkajs takes them: ours are text, a dead letter's source headers bytes (an array for a repeated name) */
  headers: IHeaders;
}

export interface OutputsWrite {
  topic: string;
  partition: number;
  epoch: string;
  /** outputs done up to (not including) this offset */
  nextOffset: string;
  alerts: Alert[];
  outbox: OutboxMessage[];
  /** rules that started to hold on a merchant in this chunk */
  hits?: RuleHit[];
  /** acquirer of a merchant, for the case queue's filters */
  acquirerOf: (merchantId: string) => string | undefined;
  /** merchants flagged in this chunk, for the group's other processes (mt_flags) */
  flags?: FlagNotice[];
  /** the event time (epoch ms) up to which the partition's notices are all in mt_flags with this write; null: none since the claim */
  reachedAt?: number | null;
  /** the partition is consumed to its end (the latest fetch's high-water mark) */
  atEnd?: boolean;
}

/** Where a reader of mt_flags is: the last row it read. */
export interface FlagCursor {
  xid: string;
  seq: string;
}

export const FLAGS_START: FlagCursor = Object.freeze({ xid: "0", seq: "0" });
/** flag notices read at a time */
export const FLAGS_PAGE = 1000;

export interface Checkpoint {
  topic: string;
  partition: number;
  epoch: string;
  /** the states are as of this offset */
  stateOffset: string;
  /** the last record they include (undefined: none processed since a claim that had none recorded) */
  stateRecord?: RecordMark;
  /**
   * changed merchants as one JSON array of {m: merchant id, p: partition, s: stored state without its profile,
   * pr: the profile, only when it changed since the merchant's last checkpoint}, serialised when taken
   */
  states: string;
}

/** A partition's outbox at a glance (outboxEnds). */
export interface OutboxEnds {
  partition: number;
  first: string | null;
  last: string | null;
  oldestSeconds: number | null;
}

export interface OutboxRow extends OutboxMessage {
  seq: string;
}


/**
 * Moves a partition's outputs' position and reserves outbox numbers ($5), if the epoch ($6) is still the partition's,
 * and records how far it has come in event time and whether it is at its end (parameters `at` and `at` + 1:
 * app/run/event-time.ts). GREATEST: the Runner's background save of a position and a chunk's commit may land in
 * either order, and a rebuild after a claim goes again through events whose notices were written.
 */
const advance = (at: number) => `UPDATE mt_partitions SET next_offset = GREATEST(next_offset, $4::bigint), outbox_seq = outbox_seq + $5,
    reached_at = GREATEST(reached_at, $${at}::bigint), at_end = COALESCE($${at + 1}::boolean, at_end), event_time_at = now()
  WHERE group_id = $1 AND topic = $2 AND partition = $3 AND epoch = $6 RETURNING outbox_seq`;

/**
 * Control characters and lone UTF-16 surrogates, which a header may carry from the message it is about (a parse
 * error quotes its input): PostgreSQL's jsonb refuses U+0000 and lone surrogates, and a refused chunk would be
 * retried forever.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with each control character and lone surrogate written as the text \uXXXX: storable, and readable in a log. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A header value in the outbox's jsonb: text as it is (rows written before bytes were kept too), bytes in base64. */
type StoredValue = string | { base64: string };

/**
 * Headers as the outbox keeps them (jsonb: text, made `printable`, as ours are; bytes, as a dead letter's source
 * headers are, in base64; an array for a repeated name) and as it gives them back (storedHeaders), so that those go
 * out byte for byte. A header without a value (kafkajs reads it as null) goes as an empty one: kafkajs's producer
 * throws on a null value. Object.entries and fromEntries: a header named __proto__ is a header like another.
 */
function toStored(h: IHeaders): Record<string, StoredValue | StoredValue[]> {
  const one = (v: Buffer | string | null | undefined): StoredValue => (typeof v === "string" ? printable(v) : { base64: v ? v.toString("base64") : "" });
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [printable(k), Array.isArray(v) ? v.map(one) : one(v)]));
}

function storedHeaders(h: Record<string, StoredValue | StoredValue[]>): IHeaders {
  const one = (v: StoredValue): Buffer | string => (typeof v === "string" ? v : Buffer.from(v.base64, "base64"));
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.map(one) : one(v)]));
}

/** outbox rows read at a time */
export const OUTBOX_PAGE = 5000;

export class PgStore {
  constructor(
    readonly pool: pg.Pool,
    readonly groupId: string,
    /** queue a webhook delivery for each new high-severity case */
    private readonly webhooks = false,
  ) {
    this.db = poolDb(pool);
  }

  private readonly db: Db;

  /**
   * Takes ownership of a partition: a new epoch, which fences every earlier owner. `partitions`, the topic's
   * partition count now, is recorded with a row that has none; the count returned is the one the group's positions
   * were recorded with (any partition's that has positions), for the caller to compare.
   */
  async claim(topic: string, partition: number, owner: string, partitions?: number): Promise<Claim> {
    const { rows } = await this.pool.query<{
      epoch: string;
      next_offset: string | null;
      state_offset: string | null;
      outbox_seq: string;
      state_record_offset: string | null;
      state_record_timestamp: string | null;
      state_record_key: Buffer | null;
      recorded: number | null;
    }>(
      // the subquery sees the rows as they were before this statement: a count recorded by this claim is not taken
      `WITH claimed AS (
         INSERT INTO mt_partitions (group_id, topic, partition, epoch, owner, claimed_at, partitions) VALUES ($1, $2, $3, 1, $4, now(), $5)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET epoch = mt_partitions.epoch + 1, owner = $4, claimed_at = now(), at_end = false,
           partitions = COALESCE(mt_partitions.partitions, $5)
         RETURNING epoch, next_offset, state_offset, outbox_seq, state_record_offset, state_record_timestamp, state_record_key)
       SELECT claimed.*, (SELECT max(partitions) FROM mt_partitions
         WHERE group_id = $1 AND topic = $2 AND (next_offset IS NOT NULL OR state_offset IS NOT NULL)) AS recorded
       FROM claimed`,
      [this.groupId, topic, partition, owner, partitions ?? null],
    );
    const r = rows[0]!;
    const stateRecord = r.state_record_offset === null ? null : { offset: r.state_record_offset, timestamp: r.state_record_timestamp!, key: r.state_record_key };
    return { topic, partition, epoch: r.epoch, nextOffset: r.next_offset, stateOffset: r.state_offset, stateRecord, outboxSeq: r.outbox_seq, partitions: r.recorded };
  }

  /** Whether the group has positions for a partition, read without claiming it (no new epoch: nothing fenced). */
  async hasPositions(topic: string, partition: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      "SELECT 1 FROM mt_partitions WHERE group_id = $1 AND topic = $2 AND partition = $3 AND (next_offset IS NOT NULL OR state_offset IS NOT NULL)",
      [this.groupId, topic, partition],
    );
    return rows.length > 0;
  }

  async loadStates(topic: string, partition: number): Promise<StoredMerchant[]> {
    const { rows } = await this.pool.query<{ state: StoredMerchant; profile: StoredMerchant["profile"] | null }>(
      "SELECT state, profile FROM mt_merchant_state WHERE group_id = $1 AND topic = $2 AND partition = $3",
      [this.groupId, topic, partition],
    );
    return rows.map((r) => (r.profile ? { ...r.state, profile: r.profile } : r.state));
  }

  /**
   * A chunk's outputs and its position, all or none, in one statement: the position's update checks the epoch
   * (fencing), locks the partition's row and reserves the outbox's sequence numbers; the outbox rows take those
   * numbers; alerts, cases and rule hits go through mt_record. Each part reads the update's row, so a refused
   * chunk writes nothing. Without outputs (the Runner's save of a position reached by chunks that had none) it
   * is the update alone. Returns the outbox rows as written, with their sequence numbers, for the publisher.
   */
  async commitOutputs(b: OutputsWrite): Promise<OutboxRow[]> {
    const hits = b.hits ?? [];
    const flags = b.flags ?? [];
    const headers = b.outbox.map((o) => toStored(o.headers));
    if (b.alerts.length === 0 && b.outbox.length === 0 && hits.length === 0 && flags.length === 0) {
      const { rows } = await this.pool.query(advance(7), [...this.advanceArgs(b, 0), ...this.eventTimeArgs(b)]);
      if (rows.length === 0) throw await this.fenced(b);
      return [];
    }
    const { rows } = await this.pool.query<{ outbox_seq: string }>(
      `WITH pos AS (${advance(16)}),
       outbox AS (
         INSERT INTO mt_outbox (group_id, topic, partition, seq, dest, key, value, headers)
         SELECT $1, $2, $3, pos.outbox_seq - $5 + t.n, t.d, t.k, t.v, t.h::jsonb
         FROM pos, unnest($7::text[], $8::bytea[], $9::bytea[], $10::text[]) WITH ORDINALITY AS t(d, k, v, h, n)),
       flags AS (
         INSERT INTO mt_flags (group_id, partition, notice)
         SELECT $1, $3, f FROM pos, json_array_elements($11::json) WITH ORDINALITY AS t(f, n) ORDER BY n)
       SELECT pos.outbox_seq, ${recordCall(12)} FROM pos`,
      [
        ...this.advanceArgs(b, b.outbox.length),
        b.outbox.map((o) => o.dest),
        b.outbox.map((o) => o.key),
        b.outbox.map((o) => o.value),
        headers.map((h) => JSON.stringify(h)),
        JSON.stringify(flags),
        ...recordArgs(b.alerts, hits, { acquirerOf: b.acquirerOf, webhooks: this.webhooks }),
        ...this.eventTimeArgs(b),
      ],
    );
    if (rows.length === 0) throw await this.fenced(b);
    // the rows took the numbers just below the reserved mark, in order
    const first = BigInt(rows[0]!.outbox_seq) - BigInt(b.outbox.length) + 1n;
    // as pendingOutbox would read them back, so the publisher sends the same either way
    return b.outbox.map((o, i) => ({ ...o, headers: storedHeaders(headers[i]!), seq: String(first + BigInt(i)) }));
  }

  private advanceArgs(b: OutputsWrite, reserve: number): unknown[] {
    return [this.groupId, b.topic, b.partition, b.nextOffset, reserve, b.epoch];
  }

  private eventTimeArgs(b: OutputsWrite): unknown[] {
    return [b.reachedAt ?? null, b.atEnd ?? null];
  }

  /**
   * Records how far a partition has come in event time without a position (its owner has none yet: held at its first
   * events), if the epoch is still the partition's; false if not.
   */
  async recordEventTime(topic: string, partition: number, epoch: string, reachedAt: number | null, atEnd: boolean): Promise<boolean> {
    const { rows } = await this.pool.query(
      `UPDATE mt_partitions SET reached_at = GREATEST(reached_at, $5::bigint), at_end = $6, event_time_at = now()
       WHERE group_id = $1 AND topic = $2 AND partition = $3 AND epoch = $4 RETURNING 1`,
      [this.groupId, topic, partition, epoch, reachedAt, atEnd],
    );
    return rows.length > 0;
  }

  /**
   * How far each partition of the topic has come in event time, as its owners last wrote it (commitOutputs), and
   * whether that write is older than `staleMs` (PostgreSQL's clock: an owner gone, or stuck).
   */
  async eventTimes(topic: string, staleMs: number): Promise<{ partition: number; reachedAt: number | null; atEnd: boolean; stale: boolean }[]> {
    const { rows } = await this.pool.query<{ partition: number; reached_at: string | null; at_end: boolean | null; stale: boolean }>(
      `SELECT partition, reached_at::text, at_end, COALESCE(event_time_at, claimed_at) < now() - make_interval(secs => $3::float8 / 1000) AS stale
       FROM mt_partitions WHERE group_id = $1 AND topic = $2 AND owner IS NOT NULL`,
      [this.groupId, topic, staleMs],
    );
    return rows.map((r) => ({ partition: r.partition, reachedAt: r.reached_at === null ? null : Number(r.reached_at), atEnd: r.at_end === true, stale: r.stale }));
  }

  /** The refusal of a write whose epoch is no longer the partition's; read on `c` where the write's transaction holds one. */
  private async fenced(b: { topic: string; partition: number; epoch: string }, c: Queryable = this.pool): Promise<FencedError> {
    const { rows } = await c.query<{ epoch: string }>("SELECT epoch FROM mt_partitions WHERE group_id = $1 AND topic = $2 AND partition = $3", [
      this.groupId,
      b.topic,
      b.partition,
    ]);
    return new FencedError(b.topic, b.partition, b.epoch, rows[0]?.epoch ?? "none");
  }

  /**
   * The partition's changed merchant states as of `stateOffset`, all or none. Unlike the outputs, it does not lock
   * the partition's row first: writing thousands of states takes a while, and the chunks committed meanwhile would
   * wait on it. The epoch is checked by the position's update at the end, so a claim made meanwhile rolls it all back.
   */
  async checkpoint(b: Checkpoint): Promise<void> {
    await this.db.tx(async (c) => {
      if (b.states !== "[]") {
        // one JSON document for all rows: a text[] of JSON would be escaped element by element on both sides
        await c.query(
          `INSERT INTO mt_merchant_state (group_id, merchant_id, topic, partition, state, profile, updated_at)
           SELECT $1, t.m, $2, t.p, t.s, t.pr, now() FROM json_to_recordset($3::json) AS t(m text, p int, s json, pr json)
           ON CONFLICT (group_id, merchant_id) DO UPDATE
             SET state = EXCLUDED.state, profile = COALESCE(EXCLUDED.profile, mt_merchant_state.profile),
                 topic = EXCLUDED.topic, partition = EXCLUDED.partition, updated_at = now()`,
          [this.groupId, b.topic, b.states],
        );
      }
      const r = b.stateRecord;
      const done = await c.query(
        `UPDATE mt_partitions SET state_offset = $4, state_record_offset = $6, state_record_timestamp = $7, state_record_key = $8
         WHERE group_id = $1 AND topic = $2 AND partition = $3 AND epoch = $5 RETURNING epoch`,
        [this.groupId, b.topic, b.partition, b.stateOffset, b.epoch, r?.offset ?? null, r?.timestamp ?? null, r?.key ?? null],
      );
      if (done.rows.length === 0) throw await this.fenced(b, c);
    });
  }

  /**
   * The group's flag notices after `after`, in the order of their writing transactions, of those transactions only
   * that are older than every transaction still running: no row can still appear before the last one returned
   * (see migration 8). Pass the last row's `xid` and `seq` as the next `after`.
   */
  async flagsSince(after: FlagCursor, limit = FLAGS_PAGE): Promise<(FlagCursor & { partition: number; notice: unknown })[]> {
    const { rows } = await this.pool.query<FlagCursor & { partition: number; notice: unknown }>(
      `SELECT xid::text AS xid, seq, partition, notice FROM mt_flags
       WHERE group_id = $1 AND (xid, seq) > ($2::xid8, $3::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY xid, seq LIMIT $4`,
      [this.groupId, after.xid, after.seq, limit],
    );
    return rows;
  }

  /** Which of these alerts are recorded already. */
  async recordedAlerts(ids: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ alert_id: string }>("SELECT alert_id FROM mt_alerts WHERE alert_id = ANY($1::text[])", [ids]);
    return new Set(rows.map((r) => r.alert_id));
  }

  async pendingOutbox(topic: string, partition: number, afterSeq: string, limit = OUTBOX_PAGE): Promise<OutboxRow[]> {
    const { rows } = await this.pool.query<{ seq: string; dest: OutboxRow["dest"]; key: Buffer | null; value: Buffer; headers: Record<string, StoredValue | StoredValue[]> }>(
      `SELECT seq, dest, key, value, headers FROM mt_outbox WHERE group_id = $1 AND topic = $2 AND partition = $3 AND seq > $4
       ORDER BY seq LIMIT $5`,
      [this.groupId, topic, partition, afterSeq, limit],
    );
    return rows.map((r) => ({ ...r, headers: storedHeaders(r.headers) }));
  }

  /**
   * The lowest and highest sequence numbers in the outbox of each partition (null: none there), from the ends of its
   * index: the numbers between them are consecutive, so what waits is known without counting the rows. And how long
   * (seconds, by PostgreSQL's clock) the first row after the partition's mark has waited (null: none), read through
   * the same index: the row waiting longest (a partition's rows are numbered as its owner writes them).
   */
  async outboxEnds(topic: string, marks: (readonly [partition: number, mark: bigint])[]): Promise<OutboxEnds[]> {
    const { rows } = await this.pool.query<OutboxEnds>(
      `SELECT t.p AS partition,
         (SELECT min(seq) FROM mt_outbox WHERE group_id = $1 AND topic = $2 AND partition = t.p) AS first,
         (SELECT max(seq) FROM mt_outbox WHERE group_id = $1 AND topic = $2 AND partition = t.p) AS last,
         (SELECT greatest(extract(epoch FROM now() - created_at), 0)::float8 FROM mt_outbox
          WHERE group_id = $1 AND topic = $2 AND partition = t.p AND seq > t.m ORDER BY seq LIMIT 1) AS "oldestSeconds"
       FROM unnest($3::int[], $4::bigint[]) AS t(p, m)`,
      [this.groupId, topic, marks.map(([p]) => p), marks.map(([, m]) => m.toString())],
    );
    return rows;
  }

  async dropPublished(topic: string, partition: number, uptoSeq: string): Promise<void> {
    await this.pool.query("DELETE FROM mt_outbox WHERE group_id = $1 AND topic = $2 AND partition = $3 AND seq <= $4", [
      this.groupId,
      topic,
      partition,
      uptoSeq,
    ]);
  }
}

/**
 * For the operator, once the events topic was deleted and recreated or the cluster replaced (a claim refuses the
 * partitions whose positions are not in the log): every partition of `topic` starts again at the log's start,
 * with the merchants' state kept (the new log holds only events not seen before) or forgotten (it holds the old
 * events again, which rebuild it). The epoch moves on, so a consumer still holding one of them is fenced and
 * claims it again. Their event times (app/run/event-time.ts) are of the old log, either way: forgotten, as a first
 * claim has none, or a partition going through the log again from its start would keep the old frontier (it only
 * grows) and the others would run past it; its staleness counts from the next claim. Returns the partitions reset.
 */
export async function resetPositions(db: Db, groupId: string, topic: string, keepState: boolean): Promise<number[]> {
  return db.tx(async (c) => {
    if (!keepState) await c.query("DELETE FROM mt_merchant_state WHERE group_id = $1 AND topic = $2", [groupId, topic]);
    const { rows } = await c.query<{ partition: number }>(
      `UPDATE mt_partitions SET epoch = epoch + 1, owner = NULL, next_offset = 0, state_offset = 0,
         state_record_offset = NULL, state_record_timestamp = NULL, state_record_key = NULL, partitions = NULL,
         reached_at = NULL, at_end = NULL, event_time_at = NULL
       WHERE group_id = $1 AND topic = $2 RETURNING partition`,
      [groupId, topic],
    );
    return rows.map((r) => r.partition).sort((a, b) => a - b);
  });
}

/** A record batch to skip: where it is, why, and who says so (the OS user who ran the command). */
export interface BatchSkip {
  groupId: string;
  topic: string;
  partition: number;
  /** the batch's first offset, as the hold reports it */
  offset: string;
  reason: string;
  by: string;
}

/**
 * Records an operator's decision to skip a refused record batch (mt_skipped_batches), with its audit row. Not
 * recorded when the group's position for the partition is past the batch already (`passed`: the position), or the
 * batch was skipped before (`already`: that decision).
 */
export async function skipBatch(db: Db, s: BatchSkip): Promise<{ recorded: SkipDecision } | { already: SkipDecision } | { passed: string }> {
  return db.tx(async (q) => {
    const { rows } = await q.query<{ next_offset: string | null }>("SELECT next_offset::text FROM mt_partitions WHERE group_id = $1 AND topic = $2 AND partition = $3", [s.groupId, s.topic, s.partition]);
    const position = rows[0]?.next_offset;
    if (position != null && BigInt(position) > BigInt(s.offset)) return { passed: position };
    const inserted = await q.query<SkipRow>(
      `INSERT INTO mt_skipped_batches (topic, partition, first_offset, reason, skipped_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING ${SKIP_COLUMNS}`,
      [s.topic, s.partition, s.offset, s.reason, s.by],
    );
    if (!inserted.rows[0]) return { already: (await skippedBatch(q, s.topic, s.partition, s.offset))! };
    const recorded = decision(inserted.rows[0]);
    await writeAudit(q, CONSOLE, "batch-skip", { target: `${s.topic}[${s.partition}]@${s.offset}`, after: { ...recorded, group: s.groupId } });
    return { recorded };
  });
}

type SkipRow = { reason: string; skipped_by: string; skipped_at: Date | string };
const SKIP_COLUMNS = "reason, skipped_by, skipped_at";
const decision = (r: SkipRow): SkipDecision => ({ by: r.skipped_by, at: new Date(r.skipped_at).toISOString(), reason: r.reason });

/** The decision recorded to skip the record batch at `offset` (its first) of topic[partition], if any. */
export async function skippedBatch(q: Queryable, topic: string, partition: number, offset: string): Promise<SkipDecision | undefined> {
  const { rows } = await q.query<SkipRow>(`SELECT ${SKIP_COLUMNS} FROM mt_skipped_batches WHERE topic = $1 AND partition = $2 AND first_offset = $3`, [topic, partition, offset]);
  return rows[0] && decision(rows[0]);
}
