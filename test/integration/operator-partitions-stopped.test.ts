// "How far behind are we?" A partition refused for positions that are not in its log (the topic deleted and made
// again) is consumed no further, yet it left /metrics without a word: not held by the process, it had no lag series,
// and a Prometheus alert on lag (or on anything else) never fired; only /readyz, which Prometheus does not scrape, said
// so. moneytrail_partitions_stopped{partition,reason} is 1 for each partition of the process not consumed until an
// operator acts: reason "positions" (db reset-positions) or "unreadable-batch" (db skip-batch).
import { describe, it, expect } from "vitest";
import { createTopics, freshNames, freshSchema, kafka, produce, sampleLines, startRunner, until, waitCaughtUp, type Names } from "./harness.js";

async function recreate(n: Names): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [n.events] });
    await until("the topic deleted", async () => !(await admin.listTopics()).includes(n.events));
    await until("the topic made again", () =>
      admin.createTopics({ topics: [{ topic: n.events, numPartitions: 1 }], waitForLeaders: true }).then(
        () => true,
        () => false,
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

describe("partitions not consumed until an operator acts, on /metrics", () => {
  it("exports a partition refused for its positions as stopped, with the reason", { timeout: 180_000 }, async () => {
    const n = freshNames("opstopped");
    const url = await freshSchema(n);
    const lines = sampleLines().slice(0, 100);
    await createTopics(n, 1);
    const first = await startRunner(n, url);
    try {
      await produce(n.events, lines);
      await waitCaughtUp(n, url, 60_000);
    } finally {
      await first.stop();
    }
    await recreate(n);
    await produce(n.events, lines.slice(0, 5));
    const runner = await startRunner(n, url);
    try {
      await until("the partition refused", async () => (await runner.readiness()).checks.positions?.ok === false, 60_000);
      const text = await runner.metrics.registry.metrics();
      expect(text).toContain('moneytrail_partitions_stopped{partition="0",reason="positions"} 1');
    } finally {
      await runner.stop();
    }
  });
});
