// An alerts topic that refuses the alerts (max.message.bytes too low): the publisher retries with a growing wait,
// saying what to do, and /readyz says so. Rows an owner could not publish and left in the outbox when it stopped are
// published by the next owner as soon as it is given the partition, without waiting for a new event on it: on a
// quiet partition they would wait in the outbox indefinitely.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { createLogger } from "../../src/lib/log.js";
import { alertsLimit, createTopics, expectSampleAlertsOnce, freshNames, freshSchema, produce, sampleLines, startRunner, until } from "./harness.js";

describe("an alerts topic that refuses the alerts", () => {
  it("is retried with a growing wait, said in the log and on /readyz; what is left is published once the partition is assigned, with no new event on it", { timeout: 240_000 }, async () => {
    const n = freshNames("leftover");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    const lines = sampleLines();
    try {
      await alertsLimit(n, 100);
      const logged: { msg: string; retryInMs?: number }[] = [];
      const first = await startRunner(n, url, {}, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
      const failures = () => logged.filter((l) => l.msg.startsWith("outbox publish failed"));
      try {
        await produce(n.events, lines);
        await until(
          "every event processed",
          async () => (await pool.query("SELECT 1 FROM mt_partitions WHERE next_offset = $1", [lines.length]).catch(() => ({ rowCount: 0 }))).rowCount === 1,
          120_000,
        );
        await until("three failed publishes", () => failures().length >= 3, 60_000);
        // each wait twice the one before, not a retry (and three error lines) every second for good
        expect(failures().slice(0, 3).map((l) => l.retryInMs)).toEqual([1000, 2000, 4000]);
        expect(failures()[0]!.msg).toContain(`raise the topic's max.message.bytes`);
        expect(failures()[0]!.msg).toContain(n.alerts);
        const outboxCheck = (await first.readiness()).checks.outbox;
        expect(outboxCheck?.ok).toBe(false);
        expect(outboxCheck?.detail).toMatch(/^partition 0: publishing has failed \d+ times since .*max\.message\.bytes/);
      } finally {
        await first.stop();
      }
      expect(await outbox()).toBeGreaterThan(0);

      // the topic fixed, the consumer started again: nothing more is produced
      await alertsLimit(n, 1_048_588);
      const second = await startRunner(n, url);
      try {
        await until("the outbox published", async () => (await outbox()) === 0, 60_000);
        expect((await second.readiness()).checks.outbox).toEqual({ ok: true });
      } finally {
        await second.stop();
      }
      await expectSampleAlertsOnce(url, n.alerts);
    } finally {
      await pool.end();
    }
  });
});
