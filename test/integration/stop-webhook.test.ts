// A stop while a case webhook's receiver does not answer: the stop waited for the delivery in flight after every other
// step, up to its 10 s request timeout, adding that to the Kafka steps' bounds (5 s each) and the PostgreSQL saves
// within a 30 s grace period. Now the delivery is waited for beside the other steps, at most 5 s, then abandoned:
// no attempt counted, due again at once, and the next start delivers it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until } from "./harness.js";

const SECRET = "a-test-secret-of-16+";

/** A receiver on 127.0.0.1 answering each delivery with `status`, or never ("hang"); the delivery ids it got. */
async function receiver(status: number | "hang"): Promise<{ url: string; got: string[]; close: () => Promise<void> }> {
  const got: string[] = [];
  const server: Server = createServer((req, res) => {
    got.push(String(req.headers["x-moneytrail-delivery"]));
    req.resume();
    if (status !== "hang") req.on("end", () => res.writeHead(status).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mt?token=placeholder-token`;
  return { url, got, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

describe("a stop while a webhook delivery is in flight", () => {
  it("does not wait out the receiver's timeout: the delivery is abandoned within the stop's bound, keeps its attempts, and the next start delivers it", { timeout: 180_000 }, async () => {
    const n = freshNames("stopwh");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const hung = await receiver("hang");
    const ok = await receiver(200);
    const deliveries = async () =>
      (await pool.query<{ id: string; attempts: number; due: boolean; delivered: boolean; failed: boolean }>(
        "SELECT delivery_id::text AS id, attempts, next_at <= now() AS due, delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed FROM mt_webhooks ORDER BY delivery_id",
      )).rows;
    try {
      const first = await startRunner(n, url, { webhookUrl: hung.url, webhookSecret: SECRET });
      let ms: number;
      try {
        await produce(n.events, sampleLines());
        await until("a delivery in flight to the receiver that does not answer", () => hung.got.length > 0, 60_000);
      } finally {
        const began = Date.now();
        await first.stop();
        ms = Date.now() - began;
      }
      // the stop's bound for the delivery, not its request timeout (10 s)
      expect(ms).toBeLessThan(8000);
      const left = await deliveries();
      expect(left.length).toBeGreaterThan(0);
      // none lost, none counted as a failed attempt: each due again at once
      for (const d of left) expect(d).toEqual({ id: d.id, attempts: 0, due: true, delivered: false, failed: false });

      const second = await startRunner(n, url, { webhookUrl: ok.url, webhookSecret: SECRET });
      try {
        await until("every delivery made by the next start", async () => (await deliveries()).every((d) => d.delivered), 60_000);
      } finally {
        await second.stop();
      }
      expect(ok.got.sort()).toEqual(left.map((d) => d.id).sort());
    } finally {
      await hung.close();
      await ok.close();
      await pool.end();
    }
  });
});
