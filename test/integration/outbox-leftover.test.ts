// Rows an owner could not publish (the alerts topic refused them) and left in the outbox when it stopped are
// published by the next owner as soon as it is given the partition, without waiting for a new event on it: on a
// quiet partition they would wait in the outbox indefinitely.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { createTopics, expectSampleAlertsOnce, freshNames, freshSchema, kafka, produce, sampleLines, startRunner, until, type Names } from "./harness.js";

/** Sets the alerts topic's max.message.bytes: 100 refuses every alert, as a topic made with too low a limit does. */
async function alertsLimit(n: Names, bytes: number): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: n.alerts, configEntries: [{ name: "max.message.bytes", value: String(bytes) }] }] });
  } finally {
    await admin.disconnect();
  }
}

describe("outbox rows left by an earlier owner", () => {
  it("are published once the partition is assigned, with no new event on it", { timeout: 240_000 }, async () => {
    const n = freshNames("leftover");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    const lines = sampleLines();
    try {
      await alertsLimit(n, 100);
      const first = await startRunner(n, url);
      try {
        await produce(n.events, lines);
        await until(
          "every event processed",
          async () => (await pool.query("SELECT 1 FROM mt_partitions WHERE next_offset = $1", [lines.length]).catch(() => ({ rowCount: 0 }))).rowCount === 1,
          120_000,
        );
      } finally {
        await first.stop();
      }
      expect(await outbox()).toBeGreaterThan(0);

      // the topic fixed, the consumer started again: nothing more is produced
      await alertsLimit(n, 1_048_588);
      const second = await startRunner(n, url);
      try {
        await until("the outbox published", async () => (await outbox()) === 0, 60_000);
      } finally {
        await second.stop();
      }
      await expectSampleAlertsOnce(url, n.alerts);
    } finally {
      await pool.end();
    }
  });
});
