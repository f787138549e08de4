// The event and alert counters count what was committed, once: a chunk whose commit failed (PostgreSQL gone a moment)
// is processed again after the partition is claimed again, and its events and alerts were counted both times, so
// consumed exceeded what was produced and alerts_raised_total the alerts in the table (the soak's reconciliation).
import { describe, expect, it } from "vitest";
import pg from "pg";
import { freePort } from "../../src/bench/processes.js";
import { createTopics, failFirstCommit, freshNames, freshSchema, produce, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

/** the sum of a counter's series in Prometheus text */
const total = (metrics: string, name: string) =>
  [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, "gm"))].reduce((sum, m) => sum + Number(m[1]), 0);

describe("/metrics counters", () => {
  it("count a chunk once when its first commit failed and it was processed again", { timeout: 180_000 }, async () => {
    const n = freshNames("count-once");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const port = await freePort();
    const runner = await startRunner(n, url, { metricsPort: port });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const failed = failFirstCommit(runner);
      const lines = sampleLines();
      await produce(n.events, lines);
      await waitCaughtUp(n, url);
      expect(failed.calls).toBeGreaterThan(1);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(total(metrics, "moneytrail_events_consumed_total")).toBe(lines.length);
      expect(total(metrics, "moneytrail_events_processed_total") + total(metrics, "moneytrail_events_dead_lettered_total")).toBe(lines.length);
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_alerts");
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      expect(total(metrics, "moneytrail_alerts_raised_total")).toBe(Number(rows[0]!.n));
    } finally {
      await runner.stop().catch(() => undefined);
      await pool.end();
    }
  });
});
