// A recorded range of a topic as a source, for backtests: every message from the start of each partition up to
// its end as it was when the read began, merged across partitions by append time (each partition's order kept,
// so each merchant's events stay in order). Reads with a throwaway group and commits nothing.
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import type { Line } from "./ndjson.js";

interface Held {
  partition: number;
  offset: number;
  timestamp: number;
  bytes: Buffer;
}

/**
 * Yields the topic's messages, within an optional window of offsets (inclusive, the same in every partition), as
 * lines whose `n` is the offset + 1. Holds the range in memory until all partitions are read: meant for the days of
 * traffic a backtest replays, not for a topic's whole history.
 */
export async function* readTopicRange(
  kafka: Kafka,
  topic: string,
  progress?: (done: number, total: number) => void,
  window: { from?: number; to?: number } = {},
): AsyncGenerator<Line[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  const starts = new Map(offsets.map((o) => [o.partition, Number(o.low)]));
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const held: Held[] = [];
  let read = 0;
  if (total > 0) {
    const consumer = kafka.consumer({ groupId: `moneytrail-backtest-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Set([...ends].filter(([p, end]) => end <= starts.get(p)!).map(([p]) => p));
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition)!;
              for (const m of batch.messages) {
                const offset = Number(m.offset);
                if (offset >= end) break;
                read++;
                if (offset < (window.from ?? 0) || offset > (window.to ?? Infinity)) continue;
                held.push({ partition: batch.partition, offset, timestamp: Number(m.timestamp), bytes: m.value ?? Buffer.alloc(0) });
              }
              progress?.(read, total);
              if (Number(batch.lastOffset()) >= end - 1) done.add(batch.partition);
              if (done.size === ends.size) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  }
  // a stable merge: by append time, then partition and offset, so equal times keep each partition's order
  held.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
  // n counts from 1 like a file's lines (offset + 1): a reader may skip lines before 1
  for (let i = 0; i < held.length; i += 1000) yield held.slice(i, i + 1000).map((h) => ({ n: h.offset + 1, bytes: h.bytes }));
}
