// A recorded range of a topic as a source, for backtests: every message from the start of each partition (or of an
// offset window) up to its end as it was when the read began, merged across partitions by append time (each
// partition's order kept, so each merchant's events stay in order). Reads with a throwaway group and commits nothing.
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import type { Line } from "./ndjson.js";
import { UsageError } from "../lib/errors.js";
import { MAX_BATCH_BYTES_SETTING, refusedBatch, refusedBatchOffset } from "./codecs.js";
import { skippedWhy, type RefusedAt, type SkipDecision, type SkippedLookup } from "./kafka.js";

/** A message of the range: `n` is its offset + 1 (counted from 1 like a file's lines), and where it is on the topic. */
export interface TopicLine extends Line {
  partition: number;
  offset: number;
  /** the message's timestamp, epoch ms: decoding refuses events dated too far after it, as `run` does */
  timestamp: number;
  /** the message's key and value as kafkajs gives them (a tombstone's value is null; its `bytes` are empty), for decodeMessage */
  key: Buffer | null;
  value: Buffer | null;
  /** a record of a batch that cannot be read and that an operator skipped: why it is dead-lettered (skippedWhy) */
  skipped?: string;
}

/**
 * Where the operators' decisions to skip a batch that cannot be read (`moneytrail db skip-batch`) are read from, and
 * the words naming it; or, when the reader has none, how to give it one.
 */
export type SkipDecisions = { lookup: SkippedLookup; where: string } | { without: string };

/** A partition whose log began after the window's start (retention had deleted it): it was read from its first offset. */
export interface LateStart {
  partition: number;
  readFrom: number;
}

/** The messages, and once the read has begun, which partitions could not be read from the window's start. */
export type TopicRange = AsyncGenerator<TopicLine[]> & { readonly lateStarts: readonly LateStart[] };

const EMPTY = Buffer.alloc(0);

type Held = Omit<TopicLine, "n" | "bytes">;

type RangeOptions = { from?: number; to?: number; reading?: (done: number, total: number) => void; skips?: SkipDecisions };

/**
 * Yields the topic's messages, within an optional window of offsets (inclusive, the same in every partition), as
 * lines whose `n` is the offset + 1. Holds the range in memory until all partitions are read: meant for the days of
 * traffic a backtest replays, not for a topic's whole history. `progress`: messages handed out so far, as a file's
 * source reports the bytes it has handed out; `o.reading`: offsets read, while the range is read before any is.
 * Each partition is read from the window's start; one whose log begins after it is read from its log's start, and
 * named in `lateStarts`. A record batch that cannot be read ends the read, naming it, unless `o.skips` says an operator
 * skipped it: then its records are handed out as lines with `skipped` (no key, no value), as `run` dead-letters them.
 */
export function readTopicRange(
  kafka: Kafka,
  topic: string,
  progress?: (done: number, total: number) => void,
  o: RangeOptions = {},
): TopicRange {
  const lateStarts: LateStart[] = [];
  return Object.assign(readRange(kafka, topic, lateStarts, progress, o), { lateStarts });
}

async function* readRange(
  kafka: Kafka,
  topic: string,
  lateStarts: LateStart[],
  progress: ((done: number, total: number) => void) | undefined,
  o: RangeOptions,
): AsyncGenerator<TopicLine[]> {
  const admin = kafka.admin();
  await admin.connect();
  // asked first: for a topic that is not there, the client retries for minutes and then throws its own error
  const offsets = await admin
    .listTopics()
    .then((topics) => {
      if (!topics.includes(topic))
        throw new UsageError(
          `topic ${topic} does not exist on these brokers: check --topic, and --brokers (or KAFKA_BROKERS); \`moneytrail produce --events FILE --topic ${topic}\` puts a recorded file on a topic`,
        );
      return admin.fetchTopicOffsets(topic);
    })
    .finally(() => admin.disconnect());
  // a partition is read up to the window's end or its own, whichever comes first: past the window nothing is kept
  // (and past an upstream producer's open transaction nothing can be read until it ends)
  const ends = new Map(offsets.map((p) => [p.partition, Math.min(Number(p.high), (o.to ?? Infinity) + 1)]));
  // a partition is read from the window's start, not its own: before the window nothing is kept
  const starts = new Map(offsets.map((p) => [p.partition, Math.max(Number(p.low), o.from ?? 0)]));
  for (const p of offsets) if (o.from !== undefined && Number(p.low) > o.from) lateStarts.push({ partition: p.partition, readFrom: Number(p.low) });
  const total = [...ends].reduce((n, [p, end]) => n + Math.max(0, end - starts.get(p)!), 0);
  const held: Held[] = [];
  if (total > 0) {
    const consumer = kafka.consumer({ groupId: `moneytrail-backtest-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Set([...ends].filter(([p, end]) => end <= starts.get(p)!).map(([p]) => p));
      /** per partition, how many offsets have been read past */
      const read = new Map<number, number>();
      /** the decision for each refused batch met, by partition and first offset: asked once a batch */
      const decisions = new Map<string, Promise<SkipDecision | undefined>>();
      await new Promise<void>((resolve, reject) => {
        // how far a partition is read is taken from the batches' end events, not from eachBatch: a fetch of only
        // aborted records or transaction markers (an upstream transactional producer's) reaches no eachBatch, and
        // a partition ending in one was never done
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          if (payload.topic !== topic) return;
          const end = ends.get(payload.partition)!;
          const last = Math.min(Number(payload.lastOffset), end - 1);
          // a batch before the window (fetched before a seek took effect) counts nothing
          read.set(payload.partition, Math.max(0, last + 1 - starts.get(payload.partition)!));
          o.reading?.([...read.values()].reduce((a, b) => a + b, 0), total);
          if (last >= end - 1) {
            done.add(payload.partition);
            // its next fetches would be past the window
            consumer.pause([{ topic, partitions: [payload.partition] }]);
          }
          if (done.size === ends.size) resolve();
        });
        // a record batch the codecs refuse (codecs.ts) comes as records standing for it, and ends the read unless an
        // operator skipped it: thrown inside kafkajs it was retried without end
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition)!;
              for (const m of batch.messages) {
                const offset = Number(m.offset);
                if (offset >= end) break;
                if (offset < (o.from ?? 0) || offset > (o.to ?? Infinity)) continue;
                const refused = refusedBatch(m);
                let skipped: string | undefined;
                if (refused) {
                  const at: RefusedAt = { topic, partition: batch.partition, offset: refusedBatchOffset(m)!, ...refused };
                  const key = `${at.partition}@${at.offset}`;
                  if (o.skips && "lookup" in o.skips && !decisions.has(key)) decisions.set(key, o.skips.lookup(at));
                  let decision: SkipDecision | undefined;
                  try {
                    decision = await decisions.get(key);
                  } catch (err) {
                    // thrown here, kafkajs would run the batch again without end
                    const e = err as Error;
                    e.message = `${unreadable(at)}; whether an operator skipped it could not be read: ${e.message}`;
                    return reject(e);
                  }
                  if (!decision) return reject(new UsageError(unreadable(at, o.skips)));
                  skipped = skippedWhy(at, decision);
                }
                held.push({ partition: batch.partition, offset, timestamp: Number(m.timestamp), key: m.key, value: m.value, ...(skipped !== undefined && { skipped }) });
              }
            },
          })
          .catch(reject);
        // run sets up the consumer's group at once (seek and pause throw before it) and fetches only once it has
        // joined: its first fetches start at the window, and partitions with nothing in it are never fetched
        for (const [partition, start] of starts) if (start > 0 && !done.has(partition)) consumer.seek({ topic, partition, offset: String(start) });
        if (done.size) consumer.pause([{ topic, partitions: [...done] }]);
      });
    } finally {
      await consumer.disconnect();
    }
  }
  // a stable merge: by append time, then partition and offset, so equal times keep each partition's order
  held.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
  for (let i = 0; i < held.length; i += 1000) {
    progress?.(Math.min(i + 1000, held.length), held.length);
    yield held.slice(i, i + 1000).map((h) => ({ ...h, n: h.offset + 1, bytes: h.value ?? EMPTY }));
  }
}

/** Why the read ends at a batch that cannot be read, and what to do: what the reader knows of an operator's skip. */
function unreadable(b: RefusedAt, skips?: SkipDecisions): string {
  const todo = `raise ${MAX_BATCH_BYTES_SETTING} if its producer meant a batch that large, or read a window that leaves it out (backtest --from/--to)`;
  const head = `${b.topic}[${b.partition}] at offset ${b.offset}: a record batch of ${b.records} records cannot be read: ${b.why}`;
  if (!skips) return `${head}; ${todo}`;
  if ("without" in skips) return `${head}; ${todo}; if an operator skipped it (moneytrail db skip-batch), ${skips.without}`;
  return `${head}; no operator skipped it (none recorded at ${skips.where}): ${todo}; one that is not meant (data its codec cannot read, or a hostile batch) is skipped for every consumer of the topic by an operator: \`moneytrail db skip-batch --topic ${b.topic} --partition ${b.partition} --offset ${b.offset} --reason "…"\``;
}
