// A batch over the bound that its producer meant (many events at once): the partition is held at it, nothing after
// it consumed; raised, the bound lets it through and every event is consumed: none was lost while it was held.
import { describe, it, expect } from "vitest";
import { CompressionTypes } from "kafkajs";
import type { Alert } from "../../src/decode/events.js";
import { keyOf } from "../../src/app/produce.js";
import { createTopics, freshNames, freshSchema, ids, kafka, readTopic, replayAlerts, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

describe("batches over MT_MAX_BATCH_BYTES that their producer meant", () => {
  it("hold the partition at the first, and are all consumed once the bound is raised: nothing lost", async () => {
    const n = freshNames("bound");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    const lines = sampleLines();
    const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // ~400 KB of events a batch
    for (let i = 0; i < lines.length; i += 1000)
      await producer.send({ topic: n.events, compression: CompressionTypes.GZIP, acks: -1, messages: lines.slice(i, i + 1000).map((l) => ({ key: keyOf(l), value: l })) });
    await producer.disconnect();
    let runner = await startRunner(n, url, { maxBatchBytes: 256 * 1024 });
    try {
      await until("held at the first batch", async () => (await runner.readiness()).checks.batches?.ok === false);
      expect((await runner.readiness()).checks.batches!.detail).toContain(`${n.events}[0] held at offset 0: a batch of 1000 records cannot be read (its GZIP data decompresses to more than 262144 bytes (MT_MAX_BATCH_BYTES))`);
    } finally {
      await runner.stop();
    }
    runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 60_000);
    } finally {
      await runner.stop();
    }
    const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(alerts)).toEqual(ids(expected));
  });
});
