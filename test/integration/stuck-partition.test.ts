// Messages that once wedged a partition: the consumer must get past them, with the events after them processed.
import { describe, it, expect } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import pg from "pg";
import { createTopics, freshNames, freshSchema, ids, kafka, produce, readTopic, replayAlerts, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";
import { keyOf } from "../../src/app/produce.js";

describe("a partition is not wedged", () => {
  it("by a binary message with NULs: it is dead-lettered with its reason made printable, and the events after it go on", async () => {
    const n = freshNames("nul");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    // the parse error quotes the input, NULs and all
    const binary = Buffer.from([0x0a, 0x05, 0x00, 0x01, 0x41, 0x42, 0x00, 0x00, 0x10, 0x22, 0x33]);
    const runner = await startRunner(n, url);
    try {
      await produce(n.events, [binary, ...sampleLines()]);
      await waitCaughtUp(n, url, 30_000);
    } finally {
      await runner.stop();
    }
    const [dead] = await readTopic(n.dead, { count: 1 });
    expect(dead!.value).toEqual(binary);
    expect(dead!.headers["mt-reason-kind"]).toBe("not-json");
    expect(dead!.headers["mt-reason"]).toContain("\\u0000");
    expect(dead!.headers["mt-reason"]).not.toMatch(/[\u0000-\u001f]/);
    const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(alerts)).toEqual(ids(expected));
  });

  it("by offsets without events: an upstream producer's aborted transaction and its markers are passed over", async () => {
    const n = freshNames("txgap");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    const runner = await startRunner(n, url);
    const producer = kafka().producer({ transactionalId: `tx-${n.id}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = async (part: string[], commit: boolean) => {
      const txn = await producer.transaction();
      for (let i = 0; i < part.length; i += 500)
        await txn.send({ topic: n.events, messages: part.slice(i, i + 500).map((l) => ({ key: keyOf(l), value: l })), acks: -1 });
      await (commit ? txn.commit() : txn.abort());
    };
    // (the group's position stops short of a transaction's marker: consumed events are counted instead)
    const consumed = async () => (await runner.metrics.consumed.get()).values[0]?.value ?? 0;
    try {
      // the consumer is at the end of the first half when the aborted records and markers follow it
      await send(lines.slice(0, half), true);
      await until("the first half consumed", async () => (await consumed()) === half);
      await send(lines.slice(half), false);
      await new Promise((r) => setTimeout(r, 1000));
      await send(lines.slice(half), true);
      await until("every committed event consumed", async () => (await consumed()) === lines.length);
    } finally {
      await producer.disconnect();
      await runner.stop();
    }
    const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(alerts)).toEqual(ids(expected));
  });

  it("by a checkpoint older than the oldest event the topic keeps: it goes on from the oldest one", async () => {
    const n = freshNames("retgap");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    let runner = await startRunner(n, url);
    try {
      await produce(n.events, lines.slice(0, half));
      await waitCaughtUp(n, url, 30_000);
    } finally {
      await runner.stop();
    }
    await produce(n.events, lines.slice(half));
    // retention as deleteRecords does it: the oldest events after the checkpoint are gone
    const low = half + 50;
    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.fetchTopicOffsets(n.events);
      await admin.deleteTopicRecords({ topic: n.events, partitions: [{ partition: 0, offset: String(low) }] });
      expect((await admin.fetchTopicOffsets(n.events))[0]!.low).toBe(String(low));
    } finally {
      await admin.disconnect();
    }
    runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 30_000);
      const consumed = async () => (await runner.metrics.consumed.get()).values[0]?.value ?? 0;
      await until("the events the topic still has consumed", async () => (await consumed()) === lines.length - low);
    } finally {
      await runner.stop();
    }
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query<{ state_offset: string }>("SELECT state_offset FROM mt_partitions WHERE group_id = $1", [n.group]);
      expect(rows[0]!.state_offset).toBe(String(lines.length));
    } finally {
      await pool.end();
    }
  });
});
