// Webhook deliveries against a real receiver over HTTP and a real database, once on PostgreSQL (a schema of this
// file's own) and once on the embedded PGlite: signed, retried with growing delays, given up and requeued, never
// sent twice at once by two dispatchers; and recordAlerts queues one delivery per case reaching high severity.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createHmac, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { serverDb, type Db } from "../../src/cases/db.js";
import { testDb } from "../helpers/db.js";
import { recordAlerts } from "../../src/cases/record.js";
import { requeueFailed, verifySignature, WebhookDispatcher, type WebhookOptions } from "../../src/cases/webhook.js";
import { createLogger } from "../../src/lib/log.js";
import type { Alert, Severity } from "../../src/decode/events.js";
import { CLI } from "../helpers/cli.js";

const SECRET = "s3cret-for-tests";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A schema of its own on the test server, as a URL whose connections use it. */
async function freshSchemaUrl(): Promise<string> {
  const schema = `wh_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(inject("databaseUrl"));
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

async function postgresDb(): Promise<Db> {
  return serverDb(await freshSchemaUrl(), 6);
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
  status: number;
}

/** A receiver on 127.0.0.1 that checks each signature with `secret` and answers what `answer` says (401 when unsigned). */
async function receiver(secret: string, answer: (n: number) => number | "hang" = () => 200, delayMs = 0) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const ts = req.headers["x-moneytrail-timestamp"] as string | undefined;
      const verified = verifySignature(secret, ts, body, req.headers["x-moneytrail-signature"] as string | undefined);
      const a = answer(got.length);
      const status = !verified ? 401 : a === "hang" ? 0 : a;
      got.push({ headers: req.headers, body, verified, status });
      if (status === 0) return; // never answers
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mt?token=abc`;
  return {
    url,
    got,
    accepted: () => got.filter((g) => g.status >= 200 && g.status < 300),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A URL on which nothing listens: the port was just bound and released. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/hooks?token=abc`;
}

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) });
  return { log: createLogger("debug", sink), lines };
}

function alert(merchantId: string, severity: Severity, n: number): Alert {
  return {
    alertId: `al-${merchantId}-${n}`,
    merchantId,
    raisedAt: new Date(Date.UTC(2025, 0, 1, 12, n)).toISOString(),
    score: { low: 20, medium: 45, high: 75, critical: 95 }[severity],
    severity,
    typologies: ["csam-merchant"],
    signals: [{ rule: "r1", version: "1", value: 3, threshold: 2, evidence: { eventIds: [`ev-${n}`] } }],
    ruleSet: { id: "default", version: "test-1" },
  };
}

interface Row {
  delivery_id: string;
  case_id: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
  next_ms: number;
  delivered: boolean;
  failed: boolean;
  last_error: string | null;
}

describe.each([
  ["PostgreSQL", postgresDb],
  ["PGlite", () => testDb()],
] as const)("webhook dispatcher on %s", (_name, open) => {
  let db: Db;
  const closing: (() => Promise<void>)[] = [];
  const dispatchers: WebhookDispatcher[] = [];

  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db.close();
  });
  // every due row is claimed by whichever dispatcher runs: each test starts from an empty queue
  beforeEach(async () => {
    await db.query("DELETE FROM mt_webhooks");
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const c of closing.splice(0)) await c();
  });

  const dispatcher = (o: Partial<WebhookOptions> & { url: string }) => {
    const d = new WebhookDispatcher({ db, secret: SECRET, log: capturedLog().log, ...o });
    dispatchers.push(d);
    return d;
  };
  const queue = async (caseId: number, payload: object, nextAtMs = Date.now()): Promise<string> => {
    const r = await db.query<{ id: string }>(
      "INSERT INTO mt_webhooks (case_id, event, payload, next_at) VALUES ($1, 'case.high-severity', $2::jsonb, $3::timestamptz) RETURNING delivery_id::text AS id",
      [caseId, JSON.stringify(payload), new Date(nextAtMs).toISOString()],
    );
    return r.rows[0]!.id;
  };
  const row = async (id: string): Promise<Row> => {
    const r = await db.query<Row>(
      `SELECT delivery_id::text, case_id::text, event, payload, attempts, (extract(epoch FROM next_at) * 1000)::float8 AS next_ms,
              delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed, last_error
       FROM mt_webhooks WHERE delivery_id = $1`,
      [id],
    );
    return r.rows[0]!;
  };

  it("fails twice with 503, waits a growing delay each time, then delivers exactly once, signed", async () => {
    const rx = await receiver(SECRET, (n) => (n < 2 ? 503 : 200));
    closing.push(rx.close);
    let clock = Date.now();
    const base = 1000;
    const d = dispatcher({ url: rx.url, baseDelayMs: base, now: () => clock });
    const payload = { event: "case.high-severity", caseId: "41", merchantId: "m-41", severity: "high", score: 80 };
    const id = await queue(41, payload, clock);

    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 1 });
    let r = await row(id);
    expect([r.attempts, r.last_error, r.delivered, r.failed]).toEqual([1, "HTTP 503", false, false]);
    const gap1 = r.next_ms - clock;
    expect(gap1).toBeGreaterThanOrEqual(0.8 * base - 1);
    expect(gap1).toBeLessThanOrEqual(1.2 * base + 1);

    // not due yet: nothing is sent before next_at
    clock += 0.75 * base;
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 0 });
    expect(rx.got).toHaveLength(1);

    clock = r.next_ms;
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 1 });
    r = await row(id);
    expect([r.attempts, r.last_error]).toEqual([2, "HTTP 503"]);
    const gap2 = r.next_ms - clock;
    expect(gap2).toBeGreaterThanOrEqual(1.6 * base - 1);
    expect(gap2).toBeLessThanOrEqual(2.4 * base + 1);

    clock = r.next_ms;
    expect(await d.runOnce()).toEqual({ delivered: 1, failed: 0, retried: 0 });
    r = await row(id);
    expect([r.attempts, r.delivered, r.failed]).toEqual([3, true, false]);
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 0 });
    expect([d.delivered, d.retried, d.failed]).toEqual([1, 2, 0]);

    expect(rx.got).toHaveLength(3);
    expect(rx.got.every((g) => g.verified)).toBe(true);
    const [ok] = rx.accepted();
    expect(rx.accepted()).toHaveLength(1);
    expect(JSON.parse(ok!.body)).toEqual(payload);
    expect(ok!.headers["content-type"]).toBe("application/json");
    expect(ok!.headers["x-moneytrail-event"]).toBe("case.high-severity");
    expect(ok!.headers["x-moneytrail-delivery"]).toBe(id);
    expect(Number(ok!.headers["x-moneytrail-timestamp"])).toBe(Math.floor(clock / 1000));
    // the documented scheme, computed here independently of the module: HMAC-SHA256(secret, `${timestamp}.${body}`)
    const ts = ok!.headers["x-moneytrail-timestamp"] as string;
    expect(ok!.headers["x-moneytrail-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(`${ts}.${ok!.body}`).digest("hex")}`);
  });

  it("backs off exponentially on the real clock, capped at maxDelayMs", async () => {
    const rx = await receiver(SECRET, () => 500);
    closing.push(rx.close);
    const base = 100;
    const d = dispatcher({ url: rx.url, baseDelayMs: base, maxDelayMs: 400, maxAttempts: 20 });
    const id = await queue(42, { n: 42 });
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const before = Date.now();
      expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 1 });
      const after = Date.now();
      const r = await row(id);
      expect(r.attempts).toBe(attempt);
      // the failure was recorded between before and after, next_at 0.8 to 1.2 times the delay later
      const want = Math.min(400, base * 2 ** (attempt - 1));
      expect(r.next_ms - before).toBeGreaterThanOrEqual(0.8 * want - 1);
      expect(r.next_ms - after).toBeLessThanOrEqual(1.2 * want + 1);
      gaps.push(r.next_ms - (before + after) / 2);
      await sleep(Math.max(0, r.next_ms - Date.now()) + 2);
    }
    // 100, 200, 400, then capped at 400 (each ±20 %)
    for (let i = 1; i < 3; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1.2 * 400 + 20);
    expect(rx.got).toHaveLength(5);
  });

  it("a wrong secret fails the receiver's verification: not delivered, retried", async () => {
    const rx = await receiver(SECRET);
    closing.push(rx.close);
    const d = dispatcher({ url: rx.url, secret: "not-the-receivers-secret" });
    const id = await queue(43, { n: 43 });
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 1 });
    expect(rx.got).toHaveLength(1);
    expect(rx.got[0]!.verified).toBe(false);
    const r = await row(id);
    expect([r.delivered, r.last_error]).toEqual([false, "HTTP 401"]);

    // the helper itself: right secret passes; wrong secret, changed body, stale or future timestamp, junk fail
    const { headers, body } = rx.got[0]!;
    const ts = headers["x-moneytrail-timestamp"] as string;
    const sig = headers["x-moneytrail-signature"] as string;
    expect(verifySignature("not-the-receivers-secret", ts, body, sig)).toBe(true);
    expect(verifySignature(SECRET, ts, body, sig)).toBe(false);
    expect(verifySignature("not-the-receivers-secret", ts, body.replace("43", "44"), sig)).toBe(false);
    expect(verifySignature("not-the-receivers-secret", ts, body, sig, 300, (Number(ts) + 301) * 1000)).toBe(false);
    expect(verifySignature("not-the-receivers-secret", ts, body, sig, 300, (Number(ts) - 301) * 1000)).toBe(false);
    expect(verifySignature("not-the-receivers-secret", ts, body, "sha256=abcd")).toBe(false);
    expect(verifySignature("not-the-receivers-secret", ts, body, undefined)).toBe(false);
  });

  it("a receiver that is down: given up after maxAttempts with an error log that says what to do; requeued once fixed", async () => {
    const { log, lines } = capturedLog();
    const d = dispatcher({ url: await deadUrl(), log, baseDelayMs: 10, maxAttempts: 3 });
    const id = await queue(44, { n: 44 });
    const totals = { delivered: 0, failed: 0, retried: 0 };
    for (let i = 0; i < 100 && !(await row(id)).failed; i++) {
      const c = await d.runOnce();
      for (const k of ["delivered", "failed", "retried"] as const) totals[k] += c[k];
      await sleep(10);
    }
    const r = await row(id);
    expect([r.failed, r.delivered, r.attempts]).toEqual([true, false, 3]);
    expect(r.last_error).toBe("ECONNREFUSED");
    expect(totals).toEqual({ delivered: 0, failed: 1, retried: 2 });
    expect([d.delivered, d.retried, d.failed]).toEqual([0, 2, 1]);
    // given up: no more attempts
    await sleep(50);
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 0 });
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain(`then requeue it: moneytrail webhooks retry ${id}`);
    expect(JSON.stringify(lines)).not.toContain("token=abc");

    // the receiver is fixed (here: the service now points at a live one) and the delivery requeued
    const rx = await receiver(SECRET);
    closing.push(rx.close);
    const fixed = dispatcher({ url: rx.url });
    expect(await requeueFailed(db, [Number(id) + 1000])).toEqual([]);
    expect(await requeueFailed(db, [id])).toEqual([String(id)]);
    expect(await requeueFailed(db)).toEqual([]);
    const again = await row(id);
    expect([again.failed, again.attempts]).toEqual([false, 0]);
    expect(await fixed.runOnce()).toEqual({ delivered: 1, failed: 0, retried: 0 });
    expect(rx.accepted()).toHaveLength(1);
    expect(JSON.parse(rx.accepted()[0]!.body)).toEqual({ n: 44 });
  });

  it("a receiver that does not answer within timeoutMs counts as a failed attempt", async () => {
    const rx = await receiver(SECRET, () => "hang");
    closing.push(rx.close);
    const d = dispatcher({ url: rx.url, timeoutMs: 300 });
    const id = await queue(45, { n: 45 });
    const t = Date.now();
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 1 });
    expect(Date.now() - t).toBeLessThan(5000);
    expect((await row(id)).last_error).toBe("timeout after 300 ms");
  });

  it("two dispatchers at once never send the same delivery twice", async () => {
    const rx = await receiver(SECRET, () => 200, 30);
    closing.push(rx.close);
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) ids.push(await queue(100 + i, { i }));
    const a = dispatcher({ url: rx.url });
    const b = dispatcher({ url: rx.url });
    for (let round = 0; round < 10; round++) {
      const [ca, cb] = await Promise.all([a.runOnce(), b.runOnce()]);
      if (ca.delivered + cb.delivered === 0) break;
    }
    expect(a.delivered + b.delivered).toBe(45);
    const sent = rx.got.map((g) => g.headers["x-moneytrail-delivery"] as string);
    expect(sent.slice().sort()).toEqual(ids.slice().sort());
    expect(new Set(sent).size).toBe(sent.length);
  });

  it("start() delivers in the background, survives a failing round, and stop() waits for the round in flight", async () => {
    const rx = await receiver(SECRET, () => 200, 100);
    closing.push(rx.close);
    const { log, lines } = capturedLog();
    // the real database, whose first transaction fails: the loop must log it and go on
    let failNext = true;
    const flaky: Db = {
      query: (t, p) => db.query(t, p),
      tx: (work) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("connection lost"));
        }
        return db.tx(work);
      },
      close: async () => undefined,
    };
    const d = dispatcher({ db: flaky, url: rx.url, log, pollMs: 20 });
    await queue(46, { n: 46 });
    d.start();
    for (let i = 0; i < 200 && rx.got.length === 0; i++) await sleep(10);
    await d.stop(); // a request of 100 ms is in flight: stop() returns once it is recorded
    expect(d.delivered).toBe(1);
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes("the loop goes on"))).toBe(true);
    await queue(47, { n: 47 });
    await sleep(100);
    expect(rx.got).toHaveLength(1); // stopped: nothing more is sent
  });

  it("recordAlerts queues one delivery when a case opens at high severity, none for another alert on that open case", async () => {
    const m = `m-${randomBytes(4).toString("hex")}`;
    const opts = { acquirerOf: () => "acq-1", webhooks: true };
    const webhooksOf = async (merchant: string) =>
      (
        await db.query<{ delivery_id: string; case_id: string; event: string; payload: Record<string, unknown> }>(
          `SELECT w.delivery_id::text, w.case_id::text, w.event, w.payload FROM mt_webhooks w JOIN mt_cases c USING (case_id)
           WHERE c.merchant_id = $1 ORDER BY w.delivery_id`,
          [merchant],
        )
      ).rows;

    await db.tx((q) => recordAlerts(q, [alert(m, "high", 1)], opts));
    const first = await webhooksOf(m);
    expect(first).toHaveLength(1);
    const caseId = (await db.query<{ case_id: string }>("SELECT case_id::text FROM mt_cases WHERE merchant_id = $1", [m])).rows[0]!.case_id;
    expect(first[0]).toMatchObject({ case_id: caseId, event: "case.high-severity" });
    expect(first[0]!.payload).toMatchObject({ caseId, merchantId: m, severity: "high", score: 75, alertId: `al-${m}-1`, new: true });

    await db.tx((q) => recordAlerts(q, [alert(m, "high", 2)], opts));
    expect(await webhooksOf(m)).toHaveLength(1);

    // a medium case does not announce; rising to high does, once
    const m2 = `m-${randomBytes(4).toString("hex")}`;
    await db.tx((q) => recordAlerts(q, [alert(m2, "medium", 1)], opts));
    expect(await webhooksOf(m2)).toHaveLength(0);
    await db.tx((q) => recordAlerts(q, [alert(m2, "critical", 2)], opts));
    const rose = await webhooksOf(m2);
    expect(rose).toHaveLength(1);
    expect(rose[0]!.payload).toMatchObject({ severity: "critical", new: false });

    // and the queued row goes out to the receiver
    const rx = await receiver(SECRET);
    closing.push(rx.close);
    expect(await dispatcher({ url: rx.url }).runOnce()).toEqual({ delivered: 2, failed: 0, retried: 0 });
    expect(rx.accepted().map((g) => JSON.parse(g.body).merchantId).sort()).toEqual([m, m2].sort());
  });
});

describe("moneytrail webhooks retry", () => {
  it("requeues the given-up deliveries named, on the service's database, and says so", async () => {
    const url = await freshSchemaUrl();
    const db = await serverDb(url, 1);
    try {
      const given = await db.query<{ id: string }>(
        `INSERT INTO mt_webhooks (case_id, event, payload, next_at, attempts, failed_at)
         VALUES (1, 'case.high-severity', '{}', now(), 12, now()), (2, 'case.high-severity', '{}', now(), 12, now()) RETURNING delivery_id::text AS id`,
      );
      const [first, second] = given.rows.map((r) => r.id);
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [...CLI, "webhooks", "retry", ...args, "--database-url", url], { encoding: "utf8", timeout: 120_000 });
      const r = cli(first!);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`requeued 1: ${first}\n`);
      const rows = await db.query<{ id: string; failed: boolean; attempts: number }>("SELECT delivery_id::text AS id, failed_at IS NOT NULL AS failed, attempts FROM mt_webhooks ORDER BY delivery_id");
      expect(rows.rows).toEqual([
        { id: first, failed: false, attempts: 0 },
        { id: second, failed: true, attempts: 12 },
      ]);
      // an id that is not (or no longer) given up is said to be so, exit 2; those that are are requeued all the same
      const again = cli(first!, second!, "12345");
      expect(again.status).toBe(2);
      expect(again.stdout).toBe(`requeued 1: ${second}\n`);
      expect(again.stderr).toBe(
        `error: no given-up delivery has the ids ${first}, 12345: check them against the give-up log line (a delivery that was sent, or is still being tried, is not requeued)\n`,
      );
      const none = cli("12345");
      expect(none.status).toBe(2);
      expect(none.stderr).toContain("error: no given-up delivery has the id 12345: check it against the give-up log line");
    } finally {
      await db.close();
    }
  });
});
