// /metrics reports the lag of the partitions this process holds, not of those it gave up in a rebalance: a series
// left behind kept its last value for good, beside the new owner's (a dashboard summing lag saw it twice).
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/processes.js";
import type { Runner } from "../../src/app/run.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

const get = async (port: number, path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(120_000) });
  return { status: r.status, body: await r.text() };
};
/** partitions with a moneytrail_consumer_lag series */
const lagPartitions = (metrics: string) => [...metrics.matchAll(/^moneytrail_consumer_lag\{partition="(\d+)"\}/gm)].map((m) => Number(m[1])).sort();
/** partitions the group gave this process, as /readyz says */
const assigned = async (port: number) => {
  const detail = (JSON.parse((await get(port, "/readyz")).body) as { checks: { group: { detail?: string } } }).checks.group.detail ?? "";
  return (/^partitions ([\d,]+)$/.exec(detail)?.[1] ?? "").split(",").filter(Boolean).map(Number).sort();
};

describe("/metrics", () => {
  it("reports the lag of the partitions held, not of those given up in a rebalance", { timeout: 180_000 }, async () => {
    const n = freshNames("lag-series");
    await createTopics(n, 6);
    const url = await freshSchema(n);
    const port = await freePort();
    const runners: Runner[] = [await startRunner(n, url, { metricsPort: port })];
    try {
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url);
      expect(lagPartitions((await get(port, "/metrics")).body)).toEqual([0, 1, 2, 3, 4, 5]);
      runners.push(await startRunner(n, url));
      await until("the first process holding fewer partitions", async () => (await assigned(port)).length < 6, 60_000);
      const held = await assigned(port);
      expect(held.length).toBeGreaterThan(0);
      await until(`lag series for partitions ${held.join(",")} only`, async () => lagPartitions((await get(port, "/metrics")).body).join() === held.join(), 30_000);
    } finally {
      for (const r of runners) await r.stop().catch(() => undefined);
    }
  });

});
