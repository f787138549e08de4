// After a PostgreSQL restart, /metrics said more events were consumed than the topic holds: the chunks without
// outputs (most of them) were counted when processed, their positions then failed to save, and a chunk with outputs
// whose commit failed had the partition claimed again from the position PostgreSQL had, so they were consumed, and
// counted, a second time. consumed = processed + dead-lettered must stay the topic's count, as an operator
// reconciles it (and as README's 'counted once their chunk is committed' says).
import { describe, expect, it } from "vitest";
import { behindProxy, produce, sampleTransactions, startRunner, waitCaughtUp } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("events counted once across a PostgreSQL outage", () => {
  it("counts the events consumed while PostgreSQL was away once, though the partition was claimed again", { timeout: 180_000 }, async () => {
    const { n, url, proxy } = await behindProxy("opcount", 1);
    const quiet = sampleTransactions();
    const runner = await startRunner(n, proxy.url);
    const total = async (name: string) => (await runner.metrics.registry.getSingleMetric(name)!.get()).values.reduce((a, v) => a + v.value, 0);
    try {
      await produce(n.events, quiet.slice(0, 200));
      await waitCaughtUp(n, url);
      await proxy.down();
      // chunks without outputs, processed while their positions fail to save
      await produce(n.events, quiet.slice(200, 400));
      await sleep(3000);
      // a chunk with an output (a dead letter): its commit fails and the partition is claimed again
      await produce(n.events, ["not json: while PostgreSQL is away"]);
      await sleep(3000);
      await proxy.up();
      await waitCaughtUp(n, url);
      await sleep(1500);
      expect(await total("moneytrail_events_consumed_total")).toBe(401);
      expect((await total("moneytrail_events_processed_total")) + (await total("moneytrail_events_dead_lettered_total"))).toBe(401);
    } finally {
      await runner.stop();
      await proxy.close();
    }
  });
});
