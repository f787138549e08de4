// backtest --topic with --to: each partition is read up to the window's end, not to its own, so a small window early
// in a large topic takes a fetch or two per partition instead of the whole topic. The reader's consumer is watched:
// the last offset it fetched on each partition.
import { describe, expect, it } from "vitest";
import { CompressionTypes, type Consumer, type Kafka } from "kafkajs";
import { readTopicRange } from "../../src/source/kafka-range.js";
import { createTopics, freshNames, kafka } from "./harness.js";

/** messages per partition, about 1 KiB each: several of the reader's fetches (1 MiB a partition) */
const PER_PARTITION = 4000;
const TO = 99;

describe("backtest from a topic: a window that ends early", () => {
  it("stops reading each partition at --to", { timeout: 180_000 }, async () => {
    const n = freshNames("bt-window");
    await createTopics(n, 2);
    const producer = kafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const pad = "x".repeat(1000);
    for (const partition of [0, 1])
      for (let i = 0; i < PER_PARTITION; i += 500)
        await producer.send({
          topic: n.events,
          acks: -1,
          compression: CompressionTypes.None,
          messages: Array.from({ length: 500 }, (_, j) => ({ partition, value: `{"n":${i + j},"p":${partition},"pad":"${pad}"}` })),
        });
    await producer.disconnect();

    // the Kafka client handed to the reader, with its consumer's batches watched
    const k: Kafka = kafka();
    const fetchedUpTo = new Map<number, number>();
    const consumer = k.consumer.bind(k);
    k.consumer = (config) => {
      const c: Consumer = consumer(config);
      c.on(c.events.END_BATCH_PROCESS, ({ payload }) => fetchedUpTo.set(payload.partition, Math.max(fetchedUpTo.get(payload.partition) ?? -1, Number(payload.lastOffset))));
      return c;
    };
    const progress: [number, number][] = [];
    const got: { partition: number; offset: number }[] = [];
    for await (const batch of readTopicRange(k, n.events, undefined, { to: TO, reading: (done, total) => progress.push([done, total]) }))
      for (const l of batch) got.push({ partition: l.partition, offset: l.offset });

    expect(got.filter((x) => x.partition === 0).map((x) => x.offset)).toEqual(Array.from({ length: TO + 1 }, (_, i) => i));
    expect(got.filter((x) => x.partition === 1).map((x) => x.offset)).toEqual(Array.from({ length: TO + 1 }, (_, i) => i));
    // a fetch holds about 1,000 of these messages: one or two per partition, not the 4,000 to its end
    for (const p of [0, 1]) expect(fetchedUpTo.get(p), `partition ${p}`).toBeLessThan(PER_PARTITION / 2);
    // the progress counts the window's offsets, not the partitions'
    expect(progress.at(-1)).toEqual([2 * (TO + 1), 2 * (TO + 1)]);
  });
});
