// A PostgreSQL outage must not shake the consumer group: a chunk whose commit failed was thrown out of kafkajs's
// eachBatch, which retried it and then restarted the consumer, a rebalance of the whole group each time, every few
// seconds while PostgreSQL was away.
import { describe, expect, it } from "vitest";
import type { Consumer } from "kafkajs";
import { behindProxy, expectSampleAlertsOnce, produce, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a PostgreSQL outage under a group of two", () => {
  it("leaves the group as it is: no member rejoins while chunks fail to commit, and every alert is there once after", { timeout: 180_000 }, async () => {
    const { n, url, proxy } = await behindProxy("pggroup", 2);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    const a = await startRunner(n, proxy.url, { commitEvery: 200 });
    const b = await startRunner(n, proxy.url, { commitEvery: 200 });
    const joins: string[] = [];
    const crashes: string[] = [];
    try {
      await produce(n.events, lines.slice(0, half));
      await waitCaughtUp(n, url);
      for (const [name, r] of [["a", a], ["b", b]] as const) {
        const c = (r as unknown as { consumer: Consumer }).consumer;
        c.on(c.events.GROUP_JOIN, () => joins.push(name));
        c.on(c.events.CRASH, (e) => crashes.push(`${name}: ${e.payload.error.message}`));
      }
      await proxy.down();
      await produce(n.events, lines.slice(half));
      await sleep(15_000);
      await proxy.up();
      await waitCaughtUp(n, url, 90_000);
    } finally {
      await a.stop().catch(() => undefined);
      await b.stop().catch(() => undefined);
      await proxy.close();
    }
    // before: 8 crashes and 8 joins a member in these 15 s. A rebalance may still come of a heartbeat late on a busy
    // machine (one was seen in CI), but not of the outage: no crash, and at most one round of joins
    expect(crashes).toEqual([]);
    expect(joins.length).toBeLessThanOrEqual(2);
    await expectSampleAlertsOnce(url, n.alerts);
  });
});
