// "How far behind are we?" A partition refused for positions that are not in its log (the topic deleted and made
// again) is consumed no further, yet it left /metrics without a word: not held by the process, it had no lag series,
// and a Prometheus alert on lag (or on anything else) never fired; only /readyz, which Prometheus does not scrape, said
// so. moneytrail_partitions_stopped{partition,reason} is 1 for each partition of the process not consumed until an
// operator acts: reason "positions" (db reset-positions) or "unreadable-batch" (db skip-batch).
import { describe, it, expect } from "vitest";
import { consumedAndStopped, createTopics, freshNames, freshSchema, produce, recreateEventsTopic, sampleLines, startRunner, until } from "./harness.js";

describe("partitions not consumed until an operator acts, on /metrics", () => {
  it("exports a partition refused for its positions as stopped, with the reason", { timeout: 180_000 }, async () => {
    const n = freshNames("opstopped");
    const url = await freshSchema(n);
    const lines = sampleLines().slice(0, 100);
    await createTopics(n, 1);
    await consumedAndStopped(n, url, lines);
    await recreateEventsTopic(n);
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
