// A stop while the outbox's publish is failing: the stop flushed each partition's publisher one after another, each
// trying again a publish that had failed (with a broker that does not answer, sitting through kafkajs's retries:
// 30 s a partition, two minutes on this machine), and its last line did not say that alerts were left unpublished.
// Now a failing publisher is not tried again (its rows are in PostgreSQL) and the last line says how many rows wait
// for the next owner. /metrics counts the failed publishes, the rows waiting and the webhook's deliveries.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { freePort } from "../../src/bench/processes.js";
import { createLogger } from "../../src/lib/log.js";
import { alertsLimit, createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until } from "./harness.js";

/** The value of each series of a metric, by its labels as written ('partition="0"'). */
const series = (text: string, name: string): Map<string, number> =>
  new Map([...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, "gm"))].map((m) => [m[1]!, Number(m[2])]));
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe("a stop while publishing fails", () => {
  it("does not try the failing publishes again, and its last line says how many outbox rows the next owner publishes; /metrics counts them", { timeout: 240_000 }, async () => {
    const n = freshNames("stopfail");
    await createTopics(n, 2);
    await alertsLimit(n, 100);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    // a receiver that is down: every delivery is retried
    const receiver = createServer((_req, res) => res.writeHead(503).end()).listen(0, "127.0.0.1");
    await new Promise((r) => receiver.once("listening", r));
    const port = await freePort();
    const lines: { msg: string; time: number; partition?: number; retryInMs?: number; unpublished?: number }[] = [];
    const runner = await startRunner(
      n,
      url,
      { metricsPort: port, webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, webhookSecret: "a-test-secret-of-16+" },
      createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }),
    );
    /** publishes that failed, each counted (one made while a retry is pending is not logged) */
    const failures = async () => sum(new Map((await runner.metrics.publishFailures.get()).values.map((v) => [String(v.labels.partition), v.value])));
    /** when each partition's next retry is due, from its latest failure's line */
    const due = (p: number) => {
      const l = lines.filter((x) => x.msg.startsWith("outbox publish failed") && x.partition === p).at(-1);
      return l ? l.time + l.retryInMs! : 0;
    };
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    let stopped = false;
    try {
      const events = sampleLines();
      await produce(n.events, events);
      await until(
        "every event processed",
        async () => Number((await pool.query<{ n: string }>("SELECT coalesce(sum(next_offset), 0) AS n FROM mt_partitions").catch(() => ({ rows: [{ n: "0" }] }))).rows[0]!.n) === events.length,
        120_000,
      );
      await until("both partitions' publishes failing", async () => (await runner.readiness()).checks.outbox?.detail?.match(/partition [01]:/g)?.length === 2, 60_000);
      await until("a webhook delivery retried", async () => (await pool.query("SELECT 1 FROM mt_webhooks WHERE attempts > 0")).rowCount! > 0, 60_000);

      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const failed = series(metrics, "moneytrail_outbox_publish_failures_total");
      expect([...failed.keys()].sort()).toEqual(['partition="0"', 'partition="1"']);
      expect(Math.min(...failed.values())).toBeGreaterThanOrEqual(1);
      const waiting = series(metrics, "moneytrail_outbox_rows_waiting");
      expect([...waiting.keys()].sort()).toEqual(['partition="0"', 'partition="1"']);
      // nothing published, so nothing deleted: the rows waiting are the outbox's
      expect(sum(waiting)).toBe(await outbox());
      expect(sum(waiting)).toBeGreaterThan(0);
      const deliveries = series(metrics, "moneytrail_webhook_deliveries_total");
      expect(deliveries.get('result="delivered"')).toBe(0);
      expect(deliveries.get('result="given_up"')).toBe(0);
      expect(deliveries.get('result="retried"')).toBeGreaterThanOrEqual(1);

      // the stop begins well before either partition's next retry is due, so any publish made while it runs is its own
      await until("both partitions' next retries at least 5 s away", () => Math.min(due(0), due(1)) - Date.now() >= 5000, 60_000);
      const before = await failures();
      await runner.stop();
      stopped = true;
      // none tried again (each would have failed and been counted)
      expect(await failures()).toBe(before);
      const last = lines.at(-1)!;
      expect(last.msg).toMatch(/^stopped: positions, checkpoint and offsets saved, the group left; \d+ outbox rows \(alerts, dead letters\) left unpublished in PostgreSQL, as publishing failed: the partitions' next owner publishes them$/);
      expect(last.unpublished).toBe(await outbox());
      expect(last.unpublished).toBeGreaterThan(0);
    } finally {
      if (!stopped) await runner.stop().catch(() => undefined);
      receiver.close();
      await pool.end();
    }
  });
});
