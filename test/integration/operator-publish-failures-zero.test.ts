// moneytrail_outbox_publish_failures_total{partition} appeared at its first failure, at 1, which Prometheus's rate()
// and increase() do not see (they need a sample before it): the dashboard's publish failures per partition, and an
// alert on them, missed a partition's first failed publish. Each partition this process publishes for is exported at
// 0 from its assignment.
import { describe, it, expect } from "vitest";
import { createTopics, freshNames, freshSchema, startRunner, until } from "./harness.js";

describe("outbox publish failures per partition", () => {
  it("are exported at 0 for each partition assigned, before any failure", { timeout: 120_000 }, async () => {
    const n = freshNames("oppubzero");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const runner = await startRunner(n, url);
    try {
      await until("in the consumer group", async () => (await runner.readiness()).checks.group?.ok === true, 60_000);
      const text = await runner.metrics.registry.metrics();
      expect(text).toContain('moneytrail_outbox_publish_failures_total{partition="0"} 0');
      expect(text).toContain('moneytrail_outbox_publish_failures_total{partition="1"} 0');
    } finally {
      await runner.stop();
    }
  });
});
