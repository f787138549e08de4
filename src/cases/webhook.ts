// Delivers the queued webhook rows (mt_webhooks, written by recordAlerts) to one configured receiver, signed with
// HMAC-SHA256 so the receiver can tell them from forgeries. At least once: a receiver deduplicates on
// x-moneytrail-delivery, because a process that dies between the POST and recording its outcome leaves the row to
// be sent again once its lease runs out.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "./db.js";
import { CONSOLE, WEBHOOK, writeAudit } from "./store.js";
import type { Logger } from "../lib/log.js";
import { within } from "../lib/within.js";

export interface WebhookOptions {
  db: Db;
  url: string;
  secret: string;
  log: Logger;
  /** delay before the first retry; doubles on each failure (default 2 s) */
  baseDelayMs?: number;
  /** longest delay between two attempts (default 1 h) */
  maxDelayMs?: number;
  /** attempts before a delivery is given up (default 12) */
  maxAttempts?: number;
  /** pause between two rounds of the loop when nothing was left due (default 1 s) */
  pollMs?: number;
  /** limit of one HTTP request, response included (default 10 s) */
  timeoutMs?: number;
  /** clock in ms since the epoch (default Date.now); every time the dispatcher writes or compares comes from it */
  now?: () => number;
}

export interface RoundCounts {
  delivered: number;
  failed: number;
  retried: number;
}

interface Claimed {
  id: string;
  case_id: string;
  event: string;
  payload: unknown;
  attempts: number;
}

const BATCH = 20;
/** deliver()'s outcome for a request that a stop abandoned */
const ABANDONED = Symbol("abandoned");
/** a lease outlives the requests of its round by this much: covers the outcome writes and clock skew between hosts */
const LEASE_MARGIN_MS = 30_000;
const SIGNATURE_PREFIX = "sha256=";

export function sign(secret: string, timestamp: string | number, body: string): string {
  return SIGNATURE_PREFIX + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/**
 * For a receiver: whether `header` (x-moneytrail-signature) signs `body` (the raw request body, before any JSON
 * parsing) at `timestamp` (x-moneytrail-timestamp) with `secret`, and the timestamp is within `toleranceS` of now,
 * so a captured request cannot be replayed later.
 */
export function verifySignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string | Buffer,
  header: string | undefined,
  toleranceS = 300,
  nowMs = Date.now(),
): boolean {
  if (timestamp === undefined || header === undefined || !header.startsWith(SIGNATURE_PREFIX)) return false;
  const ts = String(timestamp);
  if (!/^\d{1,12}$/.test(ts) || Math.abs(nowMs / 1000 - Number(ts)) > toleranceS) return false;
  const given = Buffer.from(header.slice(SIGNATURE_PREFIX.length), "hex");
  const expected = Buffer.from(sign(secret, ts, Buffer.isBuffer(body) ? body.toString("utf8") : body).slice(SIGNATURE_PREFIX.length), "hex");
  // timingSafeEqual throws on a length mismatch; a short or non-hex header is simply wrong
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Deliveries given up and not requeued since (by any process): what `moneytrail webhooks retry` would requeue. */
export async function givenUpCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_webhooks WHERE failed_at IS NOT NULL AND delivered_at IS NULL");
  return rows[0]!.n;
}

/**
 * Requeues deliveries that were given up (all, or those of `deliveryIds`), each with a fresh set of attempts, due
 * now: `moneytrail webhooks retry` once the receiver is fixed. Returns their ids. Each case's audit trail says so.
 */
export async function requeueFailed(db: Db, deliveryIds?: readonly (string | number)[]): Promise<string[]> {
  return db.tx(async (q) => {
    const { rows } = await q.query<{ delivery_id: string; case_id: string; event: string }>(
      `UPDATE mt_webhooks SET failed_at = NULL, attempts = 0, next_at = now()
       WHERE failed_at IS NOT NULL AND delivered_at IS NULL AND ($1::bigint[] IS NULL OR delivery_id = ANY($1::bigint[]))
       RETURNING delivery_id::text, case_id::text, event`,
      [deliveryIds?.length ? deliveryIds.map(String) : null],
    );
    for (const r of rows) await writeAudit(q, CONSOLE, "webhook-requeued", { caseId: r.case_id, detail: { deliveryId: r.delivery_id, event: r.event } });
    return rows.map((r) => r.delivery_id);
  });
}

export class WebhookDispatcher {
  /** totals since construction, for metrics */
  delivered = 0;
  retried = 0;
  failed = 0;

  private readonly db: Db;
  private readonly url: string;
  private readonly secret: string;
  private readonly log: Logger;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly target: string;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private running = false;
  /** aborts the requests in flight when a stop has waited for them long enough (stop) */
  private halt = new AbortController();

  constructor(o: WebhookOptions) {
    this.db = o.db;
    this.url = o.url;
    this.secret = o.secret;
    this.log = o.log;
    this.baseDelayMs = o.baseDelayMs ?? 2000;
    this.maxDelayMs = o.maxDelayMs ?? 3_600_000;
    this.maxAttempts = o.maxAttempts ?? 12;
    this.pollMs = o.pollMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.now = o.now ?? Date.now;
    // the URL may carry a token in its path or query: logs name only its origin
    this.target = new URL(o.url).origin;
  }

  /** Polls until stop(); a round that finds a full batch is followed at once by the next. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.halt.signal.aborted) this.halt = new AbortController();
    const tick = (): void => {
      this.timer = undefined;
      const round = this.runOnce()
        .then((c) => c.delivered + c.failed + c.retried >= BATCH)
        .catch((err: unknown) => {
          this.log.error({ err, target: this.target }, "webhook round failed; the loop goes on");
          return false;
        });
      this.round = round;
      void round.then((more) => {
        if (!this.running) return;
        this.timer = setTimeout(tick, more ? 0 : this.pollMs);
        this.timer.unref();
      });
    };
    tick();
  }

  /**
   * Stops polling and waits for the round in flight (bounded by timeoutMs plus its database writes). With `waitMs`,
   * its requests still unanswered after that long are abandoned: a process's stop must end within its grace period,
   * and a receiver that does not answer would hold it for timeoutMs. Their deliveries count no attempt and are due
   * again at once, for the next start or another process (the receiver may have them already: it deduplicates).
   */
  async stop(waitMs?: number): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const round = this.round;
    if (waitMs !== undefined) await within(Promise.resolve(round), waitMs).catch(() => this.halt.abort());
    await round;
  }

  /** One round: claims up to 20 due deliveries, sends them, records each outcome. */
  async runOnce(): Promise<RoundCounts> {
    const counts: RoundCounts = { delivered: 0, failed: 0, retried: 0 };
    const rows = await this.claim();
    // in parallel: the whole batch must finish inside one lease of timeoutMs + margin
    await Promise.all(
      rows.map(async (row) => {
        const outcome = await this.deliver(row);
        if (outcome === ABANDONED) return this.release(row);
        const recorded = outcome === null ? await this.recordDelivered(row) : await this.recordFailure(row, outcome);
        if (recorded) counts[recorded]++;
      }),
    );
    return counts;
  }

  // Claiming takes a lease instead of holding row locks over HTTP: in one short transaction the due rows are locked
  // (SKIP LOCKED, so another process takes others) and their next_at pushed past this round's timeouts, then released.
  private async claim(): Promise<Claimed[]> {
    const now = this.now();
    return this.db.tx(async (q) => {
      const { rows } = await q.query<Claimed>(
        `SELECT delivery_id::text AS id, case_id::text AS case_id, event, payload, attempts FROM mt_webhooks
         WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= $1::timestamptz
         ORDER BY delivery_id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [iso(now)],
      );
      if (rows.length)
        await q.query("UPDATE mt_webhooks SET next_at = $2::timestamptz WHERE delivery_id = ANY($1::bigint[])", [
          rows.map((r) => r.id),
          iso(now + this.timeoutMs + LEASE_MARGIN_MS),
        ]);
      return rows;
    });
  }

  /** null when the receiver accepted it, ABANDONED when a stop cut it short, else a short reason */
  private async deliver(row: Claimed): Promise<string | null | typeof ABANDONED> {
    const body = JSON.stringify(row.payload);
    const timestamp = Math.floor(this.now() / 1000);
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "moneytrail-webhook",
          "x-moneytrail-event": row.event,
          "x-moneytrail-delivery": row.id,
          "x-moneytrail-timestamp": String(timestamp),
          "x-moneytrail-signature": sign(this.secret, timestamp, body),
        },
        body,
        // a redirect is a misconfigured URL, not an acceptance
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.halt.signal]),
      });
      // the body is not used; reading it frees the connection
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
    } catch (err) {
      return this.halt.signal.aborted ? ABANDONED : reason(err, this.timeoutMs);
    }
  }

  /** A delivery whose request a stop abandoned: due again now, its attempts as they were (unless overtaken). */
  private async release(row: Claimed): Promise<void> {
    await this.db.query(
      "UPDATE mt_webhooks SET next_at = $2::timestamptz WHERE delivery_id = $1 AND attempts = $3 AND delivered_at IS NULL AND failed_at IS NULL",
      [row.id, iso(this.now()), row.attempts],
    );
    this.log.info({ deliveryId: row.id, caseId: row.case_id, event: row.event, target: this.target }, "webhook delivery abandoned by the stop; due again at the next start");
  }

  private async recordDelivered(row: Claimed): Promise<"delivered" | undefined> {
    const { rows } = await this.db.query(
      `UPDATE mt_webhooks SET delivered_at = $2::timestamptz, failed_at = NULL, attempts = attempts + 1
       WHERE delivery_id = $1 AND delivered_at IS NULL RETURNING delivery_id`,
      [row.id, iso(this.now())],
    );
    if (rows.length === 0) return undefined;
    this.delivered++;
    this.log.debug({ deliveryId: row.id, caseId: row.case_id, event: row.event, attempts: row.attempts + 1 }, "webhook delivered");
    return "delivered";
  }

  private async recordFailure(row: Claimed, error: string): Promise<"failed" | "retried" | undefined> {
    const attempts = row.attempts + 1;
    const now = this.now();
    const giveUp = attempts >= this.maxAttempts;
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempts - 1));
    // ±20 %: receivers that came back are not hit by every process's retries at the same instant
    const jittered = Math.round(delay * (0.8 + 0.4 * Math.random()));
    const recorded = await this.db.tx(async (q) => {
      // attempts = seen: a process whose lease ran out and was overtaken does not overwrite the newer outcome
      const { rows } = await q.query(
        `UPDATE mt_webhooks SET attempts = $2, last_error = $3, next_at = $4::timestamptz, failed_at = $5::timestamptz
         WHERE delivery_id = $1 AND attempts = $6 AND delivered_at IS NULL AND failed_at IS NULL RETURNING delivery_id`,
        [row.id, attempts, error, iso(now + jittered), giveUp ? iso(now) : null, row.attempts],
      );
      // the reviewer learns from the case that the bank's case system did not get it
      if (rows.length && giveUp)
        await writeAudit(q, WEBHOOK, "webhook-given-up", {
          caseId: row.case_id,
          target: this.target,
          detail: { deliveryId: row.id, event: row.event, attempts, lastError: error },
        });
      return rows.length > 0;
    });
    if (!recorded) return undefined;
    const ctx = { deliveryId: row.id, caseId: row.case_id, event: row.event, attempts, error, target: this.target };
    if (giveUp) {
      this.failed++;
      this.log.error(
        ctx,
        `webhook delivery ${row.id} given up after ${attempts} attempts (last: ${error}). Check that the receiver at ${this.target} is up and ` +
          `accepts the signature (same secret, clock within 5 min), then requeue it: moneytrail webhooks retry ${row.id}`,
      );
      return "failed";
    }
    this.retried++;
    this.log.warn({ ...ctx, retryInMs: jittered }, "webhook delivery failed; will retry");
    return "retried";
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A short reason for a request that got no response: fetch wraps the system error (ECONNREFUSED...) in `cause`. */
function reason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return `timeout after ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const text = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return text.slice(0, 200);
}
