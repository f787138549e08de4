// Given-up webhook deliveries were only a counter of this process's, reset at a restart: after one, or on another
// consumer than the one that gave up, the backlog waiting for `moneytrail webhooks retry` was invisible. The gauge
// moneytrail_webhook_deliveries_given_up reads it from PostgreSQL at scrape, waiting a second at most.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/processes.js";
import { createTopics, freshNames, freshSchema, startRunner } from "./harness.js";

const givenUp = async (port: number): Promise<{ value: number | undefined; ms: number }> => {
  const t0 = Date.now();
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = /^moneytrail_webhook_deliveries_given_up (\d+)$/m.exec(body);
  return { value: m ? Number(m[1]) : undefined, ms: Date.now() - t0 };
};

describe("moneytrail_webhook_deliveries_given_up", () => {
  it("counts the deliveries given up in PostgreSQL, by whichever process, and a scrape does not wait for a blocked read", { timeout: 120_000 }, async () => {
    const n = freshNames("whgiven");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const port = await freePort();
    // no webhook configured in this process: the backlog is shown all the same
    const runner = await startRunner(n, url, { metricsPort: port });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const lock = await pool.connect();
    try {
      // written as another process leaves them: two given up, one delivered, one still due
      await pool.query(
        `INSERT INTO mt_webhooks (case_id, event, payload, attempts, delivered_at, failed_at, last_error) VALUES
           (1, 'case.high-severity', '{}', 8, NULL, now(), 'HTTP 500'),
           (2, 'case.high-severity', '{}', 8, NULL, now(), 'HTTP 500'),
           (3, 'case.high-severity', '{}', 1, now(), NULL, NULL),
           (4, 'case.high-severity', '{}', 2, NULL, NULL, 'HTTP 503')`,
      );
      expect((await givenUp(port)).value).toBe(2);
      await pool.query("UPDATE mt_webhooks SET failed_at = now() WHERE case_id = 4");
      expect((await givenUp(port)).value).toBe(3);

      // the table locked: the scrape answers within its bound, with the count last read
      await lock.query("BEGIN");
      await lock.query("LOCK TABLE mt_webhooks IN ACCESS EXCLUSIVE MODE");
      for (let i = 0; i < 2; i++) {
        const scrape = await givenUp(port);
        expect(scrape.value).toBe(3);
        expect(scrape.ms).toBeLessThan(3000);
      }
      await lock.query("ROLLBACK");
    } finally {
      await lock.query("ROLLBACK").catch(() => undefined);
      lock.release();
      await runner.stop();
      await pool.end();
    }
  });
});
