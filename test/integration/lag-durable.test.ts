// moneytrail_consumer_lag was measured from the position of the state in memory, so while PostgreSQL was away it
// read about 0 though nothing processed since was saved (a restart would process it all again): an operator whose
// alert is "lag growing" saw nothing. It is now measured from the position PostgreSQL has.
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/processes.js";
import { behindProxy, produce, sampleTransactions, startRunner, until, waitCaughtUp } from "./harness.js";

describe("lag while PostgreSQL is away", () => {
  it("grows with the events processed and not saved, and falls once they are", { timeout: 180_000 }, async () => {
    const { n, url, proxy } = await behindProxy("lagsaved", 1);
    const quiet = sampleTransactions();
    const port = await freePort();
    const runner = await startRunner(n, proxy.url, { metricsPort: port });
    // as Prometheus reads it: /metrics measures the lag when scraped
    const lag = async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = /^moneytrail_consumer_lag\{partition="0"\} (\d+)$/m.exec(body);
      return m ? Number(m[1]) : undefined;
    };
    const processed = async () => (await runner.metrics.consumed.get()).values.reduce((a, v) => a + v.value, 0);
    try {
      await produce(n.events, quiet.slice(0, 200));
      await waitCaughtUp(n, url);
      await until("lag 0", async () => (await lag()) === 0);
      await proxy.down();
      await produce(n.events, quiet.slice(200, 400));
      // processed in memory in well under these seconds, while no position is saved
      await new Promise((r) => setTimeout(r, 5000));
      expect(await lag()).toBe(200);
      await proxy.up();
      await waitCaughtUp(n, url);
      await until("lag 0 again", async () => (await lag()) === 0, 30_000);
      expect(await processed()).toBe(400);
    } finally {
      // a stop without PostgreSQL fails, and would hide what failed above
      await proxy.up();
      await runner.stop();
      await proxy.close();
    }
  });
});
