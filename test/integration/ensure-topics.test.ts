// Topics made by ensureTopics serve the next step at once, on a real (KRaft) broker: its metadata follows the
// controller's CreateTopics answer a moment later, and lists a partition's leader a moment before that leader serves
// it. kafkajs's own wait (waitForLeaders) met the first ("This server does not host this topic-partition": one
// `moneytrail run` start in three under load), and the offsets asked right after met the second ("This server is not
// the leader for that topic-partition": the indicator subscriber's start). Scripted answers: test/ensure-topics.test.ts.
import { describe, it, expect } from "vitest";
import { ensureTopics, TOPIC_PARTITIONS } from "../../src/source/kafka.js";
import { ensureIndicatorTopic } from "../../src/indicators/distribution.js";
import { freshNames, kafka } from "./harness.js";

// before the fix, each of 3 runs of 20 rounds had 1 to 3 rounds fail (2 cores at load 10 to 12); after it, 3 of 3 passed
const ROUNDS = 20;

describe("ensureTopics on a real broker", () => {
  it("returns topics whose every partition's leader answers at once, round after round of fresh topics", { timeout: 300_000 }, async () => {
    const admin = kafka().admin();
    await admin.connect();
    const failed: string[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const n = freshNames("ensure");
        const indicators = `${n.id}.indicator-sets`;
        // as `moneytrail run` starts: the events and alerts topics, then the dead-letter topic, then the indicator topic
        const steps: [string, () => Promise<unknown>][] = [
          ["events and alerts", () => ensureTopics(admin, [n.events, n.alerts].map((topic) => ({ topic, partitions: TOPIC_PARTITIONS })))],
          ["dead letters", () => ensureTopics(admin, [{ topic: n.dead, partitions: TOPIC_PARTITIONS }])],
          ["offsets", () => Promise.all([n.events, n.alerts, n.dead].map((t) => admin.fetchTopicOffsets(t)))],
          ["indicator topic", () => ensureIndicatorTopic(admin, indicators)],
          ["indicator offsets", () => admin.fetchTopicOffsets(indicators)],
        ];
        for (const [step, run] of steps) {
          const err = await run().then(
            () => undefined,
            (e: Error) => e,
          );
          if (err) {
            failed.push(`round ${i}, ${step}: ${err.message}`);
            break;
          }
        }
      }
    } finally {
      await admin.disconnect();
    }
    expect(failed).toEqual([]);
  });
});
