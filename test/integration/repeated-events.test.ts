// `run` applies an event sent twice once, as replay does, and says how many it skipped in
// moneytrail_events_repeated_total: the sample with every tenth event sent again right after it raises the sample's
// alerts, exactly once.
import { describe, expect, it } from "vitest";
import { createTopics, expectSampleAlertsOnce, freshSchema, freshNames, produce, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

describe("events sent twice", () => {
  it("are applied once by run, and counted", { timeout: 180_000 }, async () => {
    const n = freshNames("repeated");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const twice = lines.flatMap((l, i) => (i % 10 === 0 ? [l, l] : [l]));
    // below the kernel's ephemeral ports (32768 on): one picked there collided with an outgoing connection in CI
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const runner = await startRunner(n, url, { metricsPort: port });
    try {
      await produce(n.events, twice);
      await waitCaughtUp(n, url);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`moneytrail_events_repeated_total ${twice.length - lines.length}`);
      // every message valid, so all processed (the repeats among them)
      const processed = [...metrics.matchAll(/^moneytrail_events_processed_total\{type="\w+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(processed).toBe(twice.length);
    } finally {
      await runner.stop();
    }
    await expectSampleAlertsOnce(url, n.alerts);
  });
});
