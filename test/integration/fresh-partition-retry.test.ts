// A partition PostgreSQL has no position for yet, whose first chunk with outputs fails to commit, is released and
// claimed again. The claim again took the batch Kafka fetched next (its in-memory position, past the chunks already
// processed), so the events before it never reached the merchants' state: their rules, and alerts, went without them.
import { describe, expect, it } from "vitest";
import { createTopics, expectSampleAlertsOnce, failFirstCommit, freshNames, freshSchema, produce, sampleLines, sampleTransactions, startRunner, until, waitCaughtUp } from "./harness.js";

describe("a fresh partition claimed again after its first commit failed", () => {
  it("rebuilds from the log's start: the same state and alerts as one uninterrupted replay", { timeout: 180_000 }, async () => {
    const n = freshNames("fresh-retry");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const runner = await startRunner(n, url);
    try {
      // after chunks without outputs were processed
      const failed = failFirstCommit(runner);
      const lines = sampleLines();
      // small batches: the first chunks hold no alert, so the failed commit comes after events only in memory
      await produce(n.events, lines, { batch: 50 });
      await waitCaughtUp(n, url);
      expect(failed.calls).toBeGreaterThan(1);
      const merchants = new Set(lines.flatMap((l) => (l.includes('"merchantId"') ? [(JSON.parse(l) as { merchantId: string }).merchantId] : [])));
      const engine = (runner as unknown as { engine: { merchants: Map<string, unknown> } }).engine;
      expect(engine.merchants.size).toBe(merchants.size);
      await expectSampleAlertsOnce(url, n.alerts);
    } finally {
      await runner.stop().catch(() => undefined);
    }
  });

  it("without MT_FROM_BEGINNING starts where Kafka's reset put its first batch, and there again", { timeout: 180_000 }, async () => {
    const n = freshNames("fresh-latest");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines();
    // before the group: not consumed
    const before = sampleTransactions().slice(0, 300);
    await produce(n.events, before);
    const runner = await startRunner(n, url, { fromBeginning: false });
    try {
      const failed = failFirstCommit(runner);
      // the group joined, and its first fetch reset to the log's end, before the sample is sent
      await until("in the group", () => (runner as unknown as { joined: boolean }).joined);
      await new Promise((r) => setTimeout(r, 1000));
      await produce(n.events, lines, { batch: 50 });
      await waitCaughtUp(n, url);
      expect(failed.calls).toBeGreaterThan(1);
      await until("the sample consumed", async () => (await runner.metrics.consumed.get()).values[0]?.value === lines.length);
      await expectSampleAlertsOnce(url, n.alerts);
    } finally {
      await runner.stop().catch(() => undefined);
    }
  });
});
