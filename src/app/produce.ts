// `moneytrail produce`: a recorded NDJSON file onto the events topic, keyed by merchantId, as the payment systems
// would send it: to try `moneytrail run`, or to put recorded data on a test topic. Lines go as they are, bad ones
// too (with no key), so the consumer's dead-lettering can be seen.
import { setTimeout as sleep } from "node:timers/promises";
import type { Kafka, Message } from "kafkajs";
import { readLineBatches } from "../source/ndjson.js";
import { TOPIC_PARTITIONS, ensureTopics } from "../source/kafka.js";
import { progressBar } from "./progress.js";

export interface ProduceOptions {
  kafka: Kafka;
  events: string;
  topic: string;
  /** events per second; as fast as the broker takes them when absent */
  rate?: number;
  progress?: boolean;
}

/** messages per request: large enough that a request's round trip is not the cost, small enough to pace */
const BATCH = 500;

/** The line's merchantId as the key, or none for a line that is not an event (it is sent as it is). */
export function keyOf(line: string | Buffer): string | null {
  try {
    const id = (JSON.parse(line.toString()) as { merchantId?: unknown }).merchantId;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}

export async function produceFile(o: ProduceOptions): Promise<{ sent: number; unkeyed: number; seconds: number }> {
  const admin = o.kafka.admin();
  await admin.connect();
  try {
    // a topic the broker created on first use would have its default partition count, not the consumer's
    await ensureTopics(admin, [{ topic: o.topic, partitions: TOPIC_PARTITIONS }]);
  } finally {
    await admin.disconnect();
  }
  // idempotent: a retried request does not put an event on the topic twice
  const producer = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const bar = progressBar("produce", o.progress);
  const t0 = performance.now();
  let sent = 0;
  let unkeyed = 0;
  try {
    for await (const lines of readLineBatches(o.events, (done, total) => bar.update(done, total))) {
      for (let i = 0; i < lines.length; i += BATCH) {
        const messages: Message[] = lines.slice(i, i + BATCH).map((l) => {
          const key = keyOf(l.bytes);
          if (key === null) unkeyed++;
          return { key, value: l.bytes };
        });
        await producer.send({ topic: o.topic, messages, acks: -1 });
        sent += messages.length;
        if (o.rate) {
          const due = (sent / o.rate) * 1000 - (performance.now() - t0);
          if (due > 0) await sleep(due);
        }
      }
    }
  } finally {
    bar.stop();
    await producer.disconnect();
  }
  return { sent, unkeyed, seconds: (performance.now() - t0) / 1000 };
}
