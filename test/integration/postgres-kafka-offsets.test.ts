// Kafka's committed offsets while PostgreSQL is away. They only say where a restarted member starts fetching (the
// positions that count are PostgreSQL's), but kafkajs committed every 5 s the offsets of the chunks processed, and a
// chunk without outputs is processed without PostgreSQL: during an outage they passed what PostgreSQL had. After a
// kill -9 the events between were fetched again only at the partition's next event (a claim goes back to the
// checkpoint), and where PostgreSQL had no position yet (the partition's first events) they were skipped for good.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { behindProxy, consuming, kafka, produce, sampleByAlerts, spawnRunner, startRunner, until, waitCaughtUp } from "./harness.js";

describe("Kafka offsets committed while PostgreSQL is away", () => {
  it("never pass PostgreSQL's positions: after a kill -9 and no event since, the next start consumes every event PostgreSQL did not record", { timeout: 120_000 }, async () => {
    const { n, url, proxy } = await behindProxy("pgoffsets", 1);
    // events that make no outputs: processed without PostgreSQL, as most chunks are
    const { quiet } = await sampleByAlerts();
    // a short session: the next start's member joins once the killed one's session is over
    const child = spawnRunner(n, proxy.url, { LOG_LEVEL: "info", MT_SESSION_TIMEOUT_MS: "6000" });
    const admin = kafka().admin();
    await admin.connect();
    const db = new pg.Pool({ connectionString: url, max: 1 });
    // the events PostgreSQL has recorded as done (the statement that cut it may have reached it)
    let recorded = 0;
    try {
      await consuming(child);
      // PostgreSQL goes away right after the claim, at the first save of the partition's position
      const cut = proxy.downOn("UPDATE mt_partitions SET next_offset");
      // two batches, the second more than Kafka's commit interval (5 s) after the first: it is committed
      const half = Math.ceil(quiet.length / 2);
      await produce(n.events, quiet.slice(0, half));
      await cut;
      await sleep(5500);
      await produce(n.events, quiet.slice(half));
      await sleep(1000);
      const [committed] = (await admin.fetchOffsets({ groupId: n.group, topics: [n.events] }))[0]!.partitions;
      const saved = (await db.query<{ next_offset: string | null }>("SELECT next_offset FROM mt_partitions WHERE group_id = $1", [n.group])).rows[0]?.next_offset ?? null;
      recorded = saved === null ? 0 : Number(saved);
      // -1: none committed
      const within = committed!.offset === "-1" || (saved !== null && BigInt(committed!.offset) <= BigInt(saved));
      expect(within, `Kafka's committed offset ${committed!.offset}, PostgreSQL's position ${saved}`).toBe(true);
    } finally {
      child.kill("SIGKILL");
      await admin.disconnect();
      await db.end();
    }
    await proxy.up();
    // no event comes after the crash: the next start consumes every one of them all the same
    const next = await startRunner(n, proxy.url);
    try {
      // consumed: those past PostgreSQL's position; the ones before it rebuild state only
      await until("every event PostgreSQL did not record consumed", async () => ((await next.metrics.consumed.get()).values[0]?.value ?? 0) === quiet.length - recorded, 30_000);
      await waitCaughtUp(n, url, 30_000);
    } finally {
      await next.stop();
      await proxy.close();
    }
  });
});
