// A partition PostgreSQL has no position for yet, whose first chunk with outputs fails to commit, is released and
// claimed again. The claim again took the batch Kafka fetched next (its in-memory position, past the chunks already
// processed), so the events before it never reached the merchants' state: their rules, and alerts, went without them.
import { describe, expect, it } from "vitest";
import { createTopics, expectSampleAlertsOnce, freshNames, freshSchema, produce, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

describe("a fresh partition claimed again after its first commit failed", () => {
  it("rebuilds from the log's start: the same state and alerts as one uninterrupted replay", { timeout: 180_000 }, async () => {
    const n = freshNames("fresh-retry");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const runner = await startRunner(n, url);
    try {
      const store = (runner as unknown as { store: { commitOutputs: (...args: unknown[]) => Promise<unknown> } }).store;
      const commitOutputs = store.commitOutputs.bind(store);
      let failed = 0;
      // the first chunk with outputs is refused as a lost connection would be, after chunks without any were processed
      store.commitOutputs = async (...args) => {
        if (failed++ === 0) throw new Error("injected: connection to PostgreSQL lost");
        return commitOutputs(...args);
      };
      const lines = sampleLines();
      // small batches: the first chunks hold no alert, so the failed commit comes after events only in memory
      await produce(n.events, lines, { batch: 50 });
      await waitCaughtUp(n, url);
      expect(failed).toBeGreaterThan(1);
      const merchants = new Set(lines.flatMap((l) => (l.includes('"merchantId"') ? [(JSON.parse(l) as { merchantId: string }).merchantId] : [])));
      const engine = (runner as unknown as { engine: { merchants: Map<string, unknown> } }).engine;
      expect(engine.merchants.size).toBe(merchants.size);
      await expectSampleAlertsOnce(url, n.alerts);
    } finally {
      await runner.stop().catch(() => undefined);
    }
  });
});
