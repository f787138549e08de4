// backtest --topic with an offset --from: each partition is read from the window's start, not from its own, so a
// late window in a large topic does not read the whole topic. A partition whose log begins after --from (retention
// deleted the window's start) is read from its first offset, and the report says so.
import { describe, expect, it } from "vitest";
import { CompressionTypes, type Consumer, type Kafka } from "kafkajs";
import { readTopicRange } from "../../src/source/kafka-range.js";
import { backtest, BacktestResult } from "../../src/app/backtest.js";
import { backtestTables } from "../../src/app/backtest-report.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { IndicatorIndex } from "../../src/indicators/index.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { createTopics, freshNames, kafka, sampleLines } from "./harness.js";

/** Sends the values to one partition each, in order. */
async function sendTo(topic: string, byPartition: string[][]): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (const [partition, values] of byPartition.entries())
    for (let i = 0; i < values.length; i += 500)
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: values.slice(i, i + 500).map((value) => ({ partition, value })) });
  await producer.disconnect();
}

describe("backtest from a topic: a window that starts late", () => {
  it("starts reading each partition at --from", { timeout: 180_000 }, async () => {
    /** messages per partition, about 1 KiB each: several of the reader's fetches (1 MiB a partition) */
    const PER_PARTITION = 4000;
    const FROM = 3000;
    const n = freshNames("bt-from");
    await createTopics(n, 2);
    const pad = "x".repeat(1000);
    await sendTo(n.events, [0, 1].map((p) => Array.from({ length: PER_PARTITION }, (_, i) => `{"n":${i},"p":${p},"pad":"${pad}"}`)));

    // the Kafka client handed to the reader, with its consumer's batches watched: the first offset fetched on each partition
    const k: Kafka = kafka();
    const fetchedFrom = new Map<number, number>();
    const consumer = k.consumer.bind(k);
    k.consumer = (config) => {
      const c: Consumer = consumer(config);
      c.on(c.events.END_BATCH_PROCESS, ({ payload }) => fetchedFrom.set(payload.partition, Math.min(fetchedFrom.get(payload.partition) ?? Infinity, Number(payload.firstOffset))));
      return c;
    };
    const progress: [number, number][] = [];
    const got: { partition: number; offset: number }[] = [];
    const range = readTopicRange(k, n.events, undefined, { from: FROM, reading: (done, total) => progress.push([done, total]) });
    for await (const batch of range) for (const l of batch) got.push({ partition: l.partition, offset: l.offset });

    for (const p of [0, 1]) {
      expect(got.filter((x) => x.partition === p).map((x) => x.offset)).toEqual(Array.from({ length: PER_PARTITION - FROM }, (_, i) => FROM + i));
      // not a fetch from offset 0 and the 3,000 messages before the window dropped
      expect(fetchedFrom.get(p), `partition ${p}`).toBeGreaterThanOrEqual(FROM - 500);
    }
    // the progress counts the window's offsets, not the partitions'
    expect(progress.at(-1)).toEqual([2 * (PER_PARTITION - FROM), 2 * (PER_PARTITION - FROM)]);
    expect(range.lateStarts).toEqual([]);
  });

  it("reads a partition whose log begins after --from from its first offset, and the report says so", { timeout: 180_000 }, async () => {
    const n = freshNames("bt-from-gone");
    await createTopics(n, 2);
    const lines = sampleLines();
    await sendTo(n.events, [lines.slice(0, 200), lines.slice(200, 400)]);
    // as retention does: partition 0's log now begins at offset 150
    const admin = kafka().admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [n.events] }); // deleteTopicRecords needs the partitions' leaders known
    await admin.deleteTopicRecords({ topic: n.events, partitions: [{ partition: 0, offset: "150" }] });
    await admin.disconnect();

    const progress: [number, number][] = [];
    const range = readTopicRange(kafka(), n.events, undefined, { from: 100, to: 179, reading: (done, total) => progress.push([done, total]) });
    const rs = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const r = BacktestResult.parse(
      await backtest({ events: { name: `topic ${n.events}`, batches: range }, from: { offset: 100 }, to: { offset: 179 }, baseline: rs, candidate: rs, indicators: new IndicatorIndex() }),
    );
    // partition 0 from 150 to 179, partition 1 from 100 to 179
    expect(r.events.lines).toBe(30 + 80);
    expect(progress.at(-1)).toEqual([110, 110]);
    expect(r.events.lateStarts).toEqual([{ partition: 0, readFrom: 150 }]);
    expect(backtestTables(r).split("\n")[0]).toContain(
      `from offset 100 of every partition to offset 179 of every partition; the window's start was no longer on the topic in partition 0 (read from its first offset, 150)`,
    );
  });
});
