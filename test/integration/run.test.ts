// moneytrail run against a real Kafka broker and a real PostgreSQL.
import { describe, it, expect, vi } from "vitest";
import pg from "pg";
import type { Runner } from "../../src/app/run.js";
import { RunConfig } from "../../src/config/run.js";
import { PgStore } from "../../src/sinks/postgres/store.js";
import type { Alert } from "../../src/decode/events.js";
import {
  casesAndAlerts,
  createTopics,
  freshNames,
  freshSchema,
  ids,
  kafka,
  produce,
  readTopic,
  replayAlerts,
  sampleLines,
  startRunner,
  until,
  waitCaughtUp,
} from "./harness.js";

const merchantsOf = (alerts: Alert[]): string[] => [...new Set(alerts.map((a) => a.merchantId))].sort();

describe("moneytrail run", () => {
  it("gives exactly the alerts replay gives, on the alerts topic and in the case table", async () => {
    const n = freshNames("e2e");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    expect(expected.length).toBeGreaterThan(5);
    // with the warm-up a start in production makes (the harness leaves it out): its synthetic events leave nothing
    const runner = await startRunner(n, url, { warmUpEvents: RunConfig.shape.warmUpEvents.parse(undefined) });
    try {
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    // Kafka's committed offsets (every few seconds while running) reach the end on stop: the next member of the
    // group starts fetching there, not at the start of the topic
    const admin = kafka().admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: n.group, topics: [n.events] });
      const ends = await admin.fetchTopicOffsets(n.events);
      expect(committed!.partitions.map((p) => p.offset)).toEqual(ends.map((e) => e.high));
    } finally {
      await admin.disconnect();
    }
    const onTopic = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(onTopic.sort((a, b) => a.alertId.localeCompare(b.alertId))).toEqual([...expected].sort((a, b) => a.alertId.localeCompare(b.alertId)));
    const { alerts, cases } = await casesAndAlerts(url);
    // two processes through a rebalance give the alerts of one: the same ids and the same content
    const byId = (x: Alert[]) => [...x].sort((p, q) => p.alertId.localeCompare(q.alertId));
    expect(byId(alerts)).toEqual(byId(expected));
    // one open case per alerted merchant, holding every alert of that merchant
    expect(cases.map((c) => c.merchant_id)).toEqual(merchantsOf(expected));
    for (const c of cases) {
      const own = expected.filter((a) => a.merchantId === c.merchant_id);
      expect(c.alerts).toEqual(ids(own));
      // the case shows the latest alert and is dated by the first
      expect([c.last_alert_id, c.score, c.severity]).toEqual([own.at(-1)!.alertId, own.at(-1)!.score, own.at(-1)!.severity]);
      expect(c.opened_at.toISOString()).toBe(new Date(own[0]!.raisedAt).toISOString());
    }
    expect(cases.some((c) => c.alerts.length > 1)).toBe(true);
  });

  it("writes a chunk without outputs with a later one: its position reaches PostgreSQL within a second, and on stop", async () => {
    const n = freshNames("quiet");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const alerted = new Set((await replayAlerts()).map((a) => a.merchantId));
    // the merchants replay never alerts: their events make no output
    const quiet = sampleLines().filter((l) => !alerted.has((JSON.parse(l) as { merchantId: string }).merchantId));
    expect(quiet.length).toBeGreaterThan(100);
    const writes = vi.spyOn(PgStore.prototype, "commitOutputs");
    // a chunk per event: before this change, a transaction per event
    const runner = await startRunner(n, url, { commitEvery: 1 });
    const consumed = async () => (await runner.metrics.consumed.get()).values[0]?.value ?? 0;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const nextOffset = async () =>
      (await pool.query<{ next_offset: string | null }>("SELECT next_offset FROM mt_partitions WHERE group_id = $1", [n.group])).rows[0]?.next_offset;
    try {
      await produce(n.events, quiet.slice(0, 100));
      await until("the first events' position in PostgreSQL", async () => (await nextOffset()) === "100", 5000);
      await produce(n.events, quiet.slice(100));
      await until("the rest consumed", async () => (await consumed()) === quiet.length);
    } finally {
      await runner.stop();
    }
    const calls = writes.mock.calls.map(([w]) => w);
    writes.mockRestore();
    // saved on stop, whether or not the background save had come round
    expect(await nextOffset()).toBe(String(quiet.length));
    await pool.end();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((w) => w.alerts.length === 0 && w.outbox.length === 0)).toBe(true);
    // about one a second while events come, and one on stop, against one per chunk before
    expect(calls.length).toBeLessThan(quiet.length / 10);
    expect((await casesAndAlerts(url)).alerts).toEqual([]);
  });

  it("dead-letters 10,000 malformed messages among valid ones and stays up; consumed = processed + dead-lettered", async () => {
    const n = freshNames("dlq");
    await createTopics(n, 3);
    const url = await freshSchema(n);
    const valid = sampleLines();
    const bad: (string | Buffer)[] = [];
    // a tenth as many too large as of the others: each is 70 KB through Kafka, PostgreSQL's outbox and back
    for (let i = 0; i < 10_000; i++) {
      if (i % 31 === 30) bad.push(JSON.stringify({ type: "site_observation", eventId: `bad-${i}`, pad: "x".repeat(70_000) })); // too large
      else if (i % 3 === 0) bad.push(`{"type":"transaction","eventId":"bad-${i}"`); // not JSON
      else if (i % 3 === 1) bad.push(JSON.stringify({ type: "transaction", eventId: `bad-${i}`, merchantId: "acq-nl:M-999999" })); // schema
      else bad.push(JSON.stringify({ type: "refund", eventId: `bad-${i}` })); // unknown type
    }
    const tooLarge = bad.filter((x) => x.length > 70_000).length;
    const notJson = bad.filter((x) => !x.toString().endsWith("}")).length;
    const mixed: (string | Buffer)[] = [];
    let b = 0;
    for (let i = 0; i < valid.length; i++) {
      mixed.push(valid[i]!);
      while (b < ((i + 1) * bad.length) / valid.length) mixed.push(bad[b++]!);
    }
    const runner = await startRunner(n, url);
    try {
      await produce(n.events, mixed);
      await waitCaughtUp(n, url);
      const m = runner.metrics;
      const consumed = (await m.consumed.get()).values[0]!.value;
      const processed = (await m.processed.get()).values.reduce((s, v) => s + v.value, 0);
      const dead = (await m.deadLettered.get()).values.reduce((s, v) => s + v.value, 0);
      expect(consumed).toBe(mixed.length);
      expect(dead).toBe(10_000);
      expect(processed + dead).toBe(consumed);
    } finally {
      await runner.stop();
    }
    const dl = await readTopic(n.dead, { count: 10_000, timeoutMs: 90_000 });
    expect(dl).toHaveLength(10_000);
    const kinds = new Map<string, number>();
    for (const m of dl) {
      expect(m.headers["mt-source-topic"]).toBe(n.events);
      expect(Number(m.headers["mt-source-offset"])).toBeGreaterThanOrEqual(0);
      expect(m.headers["mt-source-partition"]).toMatch(/^[0-2]$/);
      expect(m.headers["mt-reason"]!.length).toBeGreaterThan(5);
      kinds.set(m.headers["mt-reason-kind"]!, (kinds.get(m.headers["mt-reason-kind"]!) ?? 0) + 1);
    }
    expect(Object.fromEntries(kinds)).toEqual({ "not-json": notJson, schema: 10_000 - notJson - tooLarge, "too-large": tooLarge });
    expect(tooLarge).toBeGreaterThan(300);
    // the original bytes travel unchanged
    const original = new Set(bad.map((x) => x.toString()));
    for (const m of dl) expect(original.has(m.value.toString())).toBe(true);
    const { alerts } = await casesAndAlerts(url);
    expect(merchantsOf(alerts)).toEqual(merchantsOf(await replayAlerts()));
  });

  it("two consumers share the partitions through a rebalance: the alerts of one process, nothing doubled", async () => {
    const n = freshNames("two");
    await createTopics(n, 4);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const a = await startRunner(n, url);
    let b: Runner | undefined;
    try {
      await produce(n.events, lines.slice(0, lines.length / 2), { pauseMs: 20 });
      b = await startRunner(n, url);
      await produce(n.events, lines.slice(lines.length / 2), { pauseMs: 20 });
      await waitCaughtUp(n, url);
    } finally {
      await b?.stop();
      await a.stop();
    }
    const expected = await replayAlerts();
    const { alerts, cases } = await casesAndAlerts(url);
    expect(merchantsOf(alerts)).toEqual(merchantsOf(expected));
    expect(ids(alerts)).toEqual(ids(expected));
    expect(new Set(ids(alerts)).size).toBe(alerts.length);
    const onTopic = await readTopic(n.alerts, { count: alerts.length });
    expect(onTopic.map((m) => (JSON.parse(m.value.toString()) as Alert).alertId).sort()).toEqual(ids(alerts));
    expect(cases.map((c) => c.merchant_id)).toEqual(merchantsOf(expected));
  });
});
