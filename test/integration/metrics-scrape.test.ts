// /metrics while the broker is down answers within a scrape timeout, with the lag last measured: the partitions' end
// offsets were fetched with kafkajs's retries (30 s and more), so Prometheus's scrape failed and every series was lost
// just when the broker was in trouble.
import { describe, expect, inject, it } from "vitest";
import { restartBroker } from "../infra/control.js";
import { freePort } from "../../src/bench/processes.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

const get = async (port: number, path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(120_000) });
  return { status: r.status, body: await r.text() };
};
/** partitions with a moneytrail_consumer_lag series */
const lagPartitions = (metrics: string) => [...metrics.matchAll(/^moneytrail_consumer_lag\{partition="(\d+)"\}/gm)].map((m) => Number(m[1])).sort();

describe("/metrics", () => {
  it.runIf(inject("kafkaRestartable"))("answers within a scrape timeout while the broker is down, with the lag last measured", { timeout: 240_000 }, async () => {
    const n = freshNames("lag-down");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const port = await freePort();
    const runner = await startRunner(n, url, { metricsPort: port });
    try {
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url);
      expect(lagPartitions((await get(port, "/metrics")).body)).toEqual([0, 1]);
      const restart = restartBroker({ signal: "SIGKILL", downMs: 20_000 });
      await until("the broker reported down", async () => {
        const r = await get(port, "/readyz");
        return r.status === 503 && JSON.parse(r.body).checks.broker.ok === false;
      }, 30_000);
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        const scrape = await get(port, "/metrics");
        // Prometheus's default scrape timeout is 10 s
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(scrape.status).toBe(200);
        expect(lagPartitions(scrape.body)).toEqual([0, 1]);
      }
      await restart;
    } finally {
      await runner.stop().catch(() => undefined);
    }
  });
});
