// PostgreSQL as the consumer's memory. Per chunk, one transaction writes the outputs (alerts, cases, outbox) and
// the position they are done up to; every few seconds, a checkpoint writes the changed merchants' state and the
// position it is as of. A partition's epoch fences a consumer that has lost it: its next write finds a newer
// epoch and is refused, so it cannot overwrite the new owner's work.
import type pg from "pg";
import type { Alert } from "../../decode/events.js";
import type { StoredMerchant } from "../../state/merchant.js";

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
  outboxSeq: string;
}

export interface OutboxMessage {
  dest: "alerts" | "dead-letter";
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
}

export interface OutputsWrite {
  topic: string;
  partition: number;
  epoch: string;
  /** outputs done up to (not including) this offset */
  nextOffset: string;
  alerts: Alert[];
  outbox: OutboxMessage[];
  /** acquirer of a merchant, for the case queue's filters */
  acquirerOf: (merchantId: string) => string | undefined;
}

export interface Checkpoint {
  topic: string;
  partition: number;
  epoch: string;
  /** the states are as of this offset */
  stateOffset: string;
  /** changed merchants as one JSON array of {m: merchant id, p: partition, s: stored state}, serialised when taken */
  states: string;
}

export interface OutboxRow extends OutboxMessage {
  seq: string;
}

type Tx = pg.PoolClient;

export class PgStore {
  constructor(
    readonly pool: pg.Pool,
    readonly groupId: string,
  ) {}

  /** Takes ownership of a partition: a new epoch, which fences every earlier owner. */
  async claim(topic: string, partition: number, owner: string): Promise<Claim> {
    const { rows } = await this.pool.query<{ epoch: string; next_offset: string | null; state_offset: string | null; outbox_seq: string }>(
      `INSERT INTO mt_partitions (group_id, topic, partition, epoch, owner, claimed_at) VALUES ($1, $2, $3, 1, $4, now())
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET epoch = mt_partitions.epoch + 1, owner = $4, claimed_at = now()
       RETURNING epoch, next_offset, state_offset, outbox_seq`,
      [this.groupId, topic, partition, owner],
    );
    const r = rows[0]!;
    return { topic, partition, epoch: r.epoch, nextOffset: r.next_offset, stateOffset: r.state_offset, outboxSeq: r.outbox_seq };
  }

  async loadStates(topic: string, partition: number): Promise<StoredMerchant[]> {
    const { rows } = await this.pool.query<{ state: StoredMerchant }>(
      "SELECT state FROM mt_merchant_state WHERE group_id = $1 AND topic = $2 AND partition = $3",
      [this.groupId, topic, partition],
    );
    return rows.map((r) => r.state);
  }

  /** Runs `work` in a transaction that first checks the partition is still ours. Throws FencedError if not. */
  private async owned<T>(topic: string, partition: number, epoch: string, work: (c: Tx, outboxSeq: bigint) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const own = await c.query<{ epoch: string; outbox_seq: string }>(
        "SELECT epoch, outbox_seq FROM mt_partitions WHERE group_id = $1 AND topic = $2 AND partition = $3 FOR UPDATE",
        [this.groupId, topic, partition],
      );
      const current = own.rows[0]?.epoch ?? "none";
      if (current !== epoch) throw new FencedError(topic, partition, epoch, current);
      const out = await work(c, BigInt(own.rows[0]!.outbox_seq));
      await c.query("COMMIT");
      return out;
    } catch (err) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  /** A chunk's outputs and its position, all or none: alerts, cases, the outbox. */
  async commitOutputs(b: OutputsWrite): Promise<void> {
    await this.owned(b.topic, b.partition, b.epoch, async (c, outboxSeq) => {
      await this.recordAlerts(c, b.alerts, b.acquirerOf);
      let seq = outboxSeq;
      if (b.outbox.length) {
        const seqs = b.outbox.map(() => String(++seq));
        await c.query(
          `INSERT INTO mt_outbox (group_id, topic, partition, seq, dest, key, value, headers)
           SELECT $1, $2, $3, s, d, k, v, h::jsonb FROM unnest($4::bigint[], $5::text[], $6::bytea[], $7::bytea[], $8::text[]) AS t(s, d, k, v, h)`,
          [
            this.groupId,
            b.topic,
            b.partition,
            seqs,
            b.outbox.map((o) => o.dest),
            b.outbox.map((o) => o.key),
            b.outbox.map((o) => o.value),
            b.outbox.map((o) => JSON.stringify(o.headers)),
          ],
        );
      }
      await c.query("UPDATE mt_partitions SET next_offset = $4, outbox_seq = $5 WHERE group_id = $1 AND topic = $2 AND partition = $3", [
        this.groupId,
        b.topic,
        b.partition,
        b.nextOffset,
        String(seq),
      ]);
    });
  }

  /** The partition's changed merchant states as of `stateOffset`, all or none. */
  async checkpoint(b: Checkpoint): Promise<void> {
    await this.owned(b.topic, b.partition, b.epoch, async (c) => {
      if (b.states !== "[]") {
        // one JSON document for all rows: a text[] of JSON would be escaped element by element on both sides
        await c.query(
          `INSERT INTO mt_merchant_state (group_id, merchant_id, topic, partition, state, updated_at)
           SELECT $1, t.m, $2, t.p, t.s, now() FROM json_to_recordset($3::json) AS t(m text, p int, s json)
           ON CONFLICT (group_id, merchant_id) DO UPDATE
             SET state = EXCLUDED.state, topic = EXCLUDED.topic, partition = EXCLUDED.partition, updated_at = now()`,
          [this.groupId, b.topic, b.states],
        );
      }
      await c.query("UPDATE mt_partitions SET state_offset = $4 WHERE group_id = $1 AND topic = $2 AND partition = $3", [
        this.groupId,
        b.topic,
        b.partition,
        b.stateOffset,
      ]);
    });
  }

  /**
   * A chunk's alerts into the alert table and onto each merchant's open case (opening one if there is none), in
   * three statements whatever the number of alerts. A case takes its merchant's latest alert of the chunk; a
   * case opened here is dated by the first.
   */
  private async recordAlerts(c: Tx, alerts: Alert[], acquirerOf: (merchantId: string) => string | undefined): Promise<void> {
    if (alerts.length === 0) return;
    const inserted = await c.query<{ alert_id: string }>(
      `INSERT INTO mt_alerts (alert_id, merchant_id, raised_at, score, severity, rule_set_version, alert)
       SELECT a->>'alertId', a->>'merchantId', (a->>'raisedAt')::timestamptz, (a->>'score')::int, a->>'severity',
              a->'ruleSet'->>'version', a
       FROM json_array_elements($1::json) AS a
       ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id`,
      [JSON.stringify(alerts)],
    );
    const fresh = new Set(inserted.rows.map((r) => r.alert_id));
    const byMerchant = new Map<string, { first: Alert; last: Alert; ids: string[] }>();
    for (const a of alerts) {
      if (!fresh.has(a.alertId)) continue;
      const m = byMerchant.get(a.merchantId);
      if (m) {
        m.last = a;
        m.ids.push(a.alertId);
      } else byMerchant.set(a.merchantId, { first: a, last: a, ids: [a.alertId] });
    }
    if (byMerchant.size === 0) return;
    const rows = [...byMerchant].map(([m, { first, last }]) => ({
      m,
      score: last.score,
      sev: last.severity,
      typ: last.typologies,
      acq: acquirerOf(m) ?? null,
      opened: first.raisedAt,
      at: last.raisedAt,
      id: last.alertId,
    }));
    const cases = await c.query<{ case_id: string; merchant_id: string }>(
      `INSERT INTO mt_cases (merchant_id, score, severity, typologies, acquirer_id, opened_at, updated_at, last_alert_id)
       SELECT t.m, t.score, t.sev, ARRAY(SELECT json_array_elements_text(t.typ)), t.acq, t.opened, t.at, t.id
       FROM json_to_recordset($1::json) AS t(m text, score int, sev text, typ json, acq text, opened timestamptz, at timestamptz, id text)
       ON CONFLICT (merchant_id) WHERE status NOT IN ('reported', 'dismissed') DO UPDATE
         SET score = EXCLUDED.score, severity = EXCLUDED.severity, typologies = EXCLUDED.typologies,
             updated_at = EXCLUDED.updated_at, last_alert_id = EXCLUDED.last_alert_id,
             acquirer_id = COALESCE(EXCLUDED.acquirer_id, mt_cases.acquirer_id)
       RETURNING case_id, merchant_id`,
      [JSON.stringify(rows)],
    );
    const caseIds: string[] = [];
    const alertIds: string[] = [];
    for (const r of cases.rows)
      for (const id of byMerchant.get(r.merchant_id)!.ids) {
        caseIds.push(r.case_id);
        alertIds.push(id);
      }
    await c.query("INSERT INTO mt_case_alerts (case_id, alert_id) SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING", [caseIds, alertIds]);
  }

  async pendingOutbox(topic: string, partition: number, afterSeq: string, limit = 5000): Promise<OutboxRow[]> {
    const { rows } = await this.pool.query<{ seq: string; dest: OutboxRow["dest"]; key: Buffer | null; value: Buffer; headers: Record<string, string> }>(
      `SELECT seq, dest, key, value, headers FROM mt_outbox WHERE group_id = $1 AND topic = $2 AND partition = $3 AND seq > $4
       ORDER BY seq LIMIT $5`,
      [this.groupId, topic, partition, afterSeq, limit],
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
