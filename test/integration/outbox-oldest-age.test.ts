// Alerts stuck in the outbox behind a publisher that reports no failure: /readyz's outbox check is ok and
// moneytrail_outbox_rows_waiting is a handful, which a count cannot tell from a busy partition (its alert fires above
// 1000 rows). moneytrail_outbox_oldest_row_age_seconds says how long the oldest row has waited, growing while it
// waits and 0 once published. The publisher is held at its first InitProducerId (as in handover-late-fence.test.ts).
import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import pg from "pg";
import { freePort } from "../../src/bench/processes.js";
import { createTopics, expectSampleAlertsOnce, freshNames, freshSchema, produce, sampleLines, startRunner, until } from "./harness.js";

/** kafkajs's broker connection (the instance kafkajs itself loads), whose InitProducerId the test holds */
const Broker = createRequire(import.meta.url)("kafkajs/src/broker/index.js") as {
  prototype: { initProducerId(o: { transactionalId?: string }): Promise<unknown> };
};

/** The value of each series of a metric, by its labels as written ('partition="0"'). */
const series = (text: string, name: string): Map<string, number> =>
  new Map([...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, "gm"))].map((m) => [m[1]!, Number(m[2])]));

describe("alerts waiting in the outbox behind a publisher that reports no failure", () => {
  it("show as the oldest row's age, growing while they wait and 0 once published", { timeout: 240_000 }, async () => {
    const n = freshNames("outboxage");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const init = Broker.prototype.initProducerId;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const spy = vi.spyOn(Broker.prototype, "initProducerId").mockImplementation(async function (this: unknown, o) {
      if (o.transactionalId?.startsWith(`${n.group}.outbox.`)) await gate;
      return init.call(this, o);
    });
    const port = await freePort();
    const scrape = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return { age: series(text, "moneytrail_outbox_oldest_row_age_seconds").get('partition="0"'), rows: series(text, "moneytrail_outbox_rows_waiting").get('partition="0"') };
    };
    /** how long the oldest outbox row has waited, as PostgreSQL sees it */
    const waited = async () => Number((await pool.query<{ s: string }>("SELECT extract(epoch FROM now() - min(created_at)) AS s FROM mt_outbox")).rows[0]!.s);
    const runner = await startRunner(n, url, { metricsPort: port });
    try {
      expect(await scrape()).toEqual({ age: 0, rows: 0 });
      const lines = sampleLines();
      await produce(n.events, lines);
      await until(
        "every event processed",
        async () => (await pool.query("SELECT 1 FROM mt_partitions WHERE next_offset = $1", [lines.length]).catch(() => ({ rowCount: 0 }))).rowCount === 1,
        120_000,
      );
      const rows = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
      expect(rows).toBeGreaterThan(0);
      // nothing says it is stuck but the age: the publisher has not failed
      expect((await runner.readiness()).checks.outbox).toEqual({ ok: true });
      const first = await scrape();
      expect(first.rows).toBe(rows);
      expect(first.age).toBeGreaterThan(0);
      await until("a second passed in PostgreSQL", async () => (await waited()) >= first.age! + 1, 30_000);
      const later = await scrape();
      expect(later.rows).toBe(rows);
      expect(later.age).toBeGreaterThanOrEqual(first.age! + 1);
      // measured against PostgreSQL's clock: no older than the oldest row is
      expect(later.age).toBeLessThanOrEqual(await waited());

      open();
      await until("the outbox published", async () => (await scrape()).rows === 0, 60_000);
      expect((await scrape()).age).toBe(0);
    } finally {
      open();
      spy.mockRestore();
      await runner.stop();
      await pool.end();
    }
    await expectSampleAlertsOnce(url, n.alerts);
  });
});
