// Checkpoints that PostgreSQL does not write, as an operator sees them on /metrics: they were only an error line,
// and moneytrail_checkpoint_state_bytes and _merchants were set before the write, so a checkpoint that failed showed
// as written. Until one is written a restart replays every event since the last (and those retention deleted
// meanwhile are lost to state): now each is counted in moneytrail_checkpoint_failures_total, and the gauges say
// what the latest written checkpoint wrote.
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/processes.js";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until } from "./harness.js";

/** The value of an unlabelled metric on /metrics, undefined when it is not there. */
async function scraped(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

describe("checkpoints that fail", () => {
  it("are counted on /metrics, and the latest checkpoint's gauges are only set by one that was written", { timeout: 120_000 }, async () => {
    const n = freshNames("ckfail");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const port = await freePort();
    const runner = await startRunner(n, url, { metricsPort: port, checkpointMs: 200 });
    const store = (runner as unknown as { store: PgStore }).store;
    const write = store.checkpoint.bind(store);
    let failing = true;
    store.checkpoint = async (c) => {
      if (failing) throw new Error("injected: could not extend file: No space left on device");
      return write(c);
    };
    try {
      await produce(n.events, sampleLines());
      await until("checkpoints failing, counted", async () => ((await scraped(port, "moneytrail_checkpoint_failures_total")) ?? 0) >= 1, 60_000);
      expect(await scraped(port, "moneytrail_checkpoint_state_bytes")).toBe(0);
      expect(await scraped(port, "moneytrail_checkpoint_merchants")).toBe(0);

      failing = false;
      // checkpoints are taken between chunks, one partition every MT_CHECKPOINT_MS at most: more events, spread out
      await produce(n.events, sampleLines().slice(0, 50), { batch: 10, pauseMs: 300 });
      await until("a checkpoint written", async () => ((await scraped(port, "moneytrail_checkpoint_merchants")) ?? 0) > 0, 60_000);
      expect(await scraped(port, "moneytrail_checkpoint_state_bytes")).toBeGreaterThan(0);
    } finally {
      await runner.stop();
    }
  });
});
