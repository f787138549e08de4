// /readyz once a partition is assigned: ready only when its claim is done, its merchants' state loaded from
// PostgreSQL. It said ready as soon as the member was in the group, while the claim at assignment was still loading
// the partition's state (seconds for a large partition): a rolling update could go on to stop the next old process,
// whose partitions moved again while this one was still loading.
// The claim is held for real: the test holds a lock on the state table the claim reads.
import { expect, it } from "vitest";
import pg from "pg";
import { consumedAndStopped, createTopics, freshNames, freshSchema, sampleTransactions, startRunner, until } from "./harness.js";

it("is not ready while an assigned partition's state is being loaded, and ready once it is", { timeout: 180_000 }, async () => {
  const n = freshNames("ready-claim");
  await createTopics(n, 1);
  const url = await freshSchema(n);
  // positions and a checkpoint for partition 0: the next member claims it at assignment and loads its merchants
  await consumedAndStopped(n, url, sampleTransactions().slice(0, 200));
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  let locked = true;
  try {
    await lock.query("BEGIN");
    await lock.query("LOCK TABLE mt_merchant_state IN ACCESS EXCLUSIVE MODE");
    const runner = await startRunner(n, url);
    try {
      await until("in the group with partition 0", async () => (await runner.readiness()).checks.group?.detail === "partitions 0", 60_000);
      const loading = await runner.readiness();
      expect(runner.engine.merchants.size).toBe(0);
      expect(loading.ready).toBe(false);
      expect(loading.checks.claims).toEqual({ ok: false, detail: "partition 0: assigned, its claim under way (its merchants' state being loaded from PostgreSQL): not consumed until it is" });
      await lock.query("COMMIT");
      locked = false;
      await until("ready once the claim is done", async () => (await runner.readiness()).ready, 30_000);
      expect(runner.engine.merchants.size).toBeGreaterThan(0);
      expect((await runner.readiness()).checks.claims).toEqual({ ok: true });
    } finally {
      if (locked) await lock.query("ROLLBACK");
      await runner.stop();
    }
  } finally {
    await lock.end();
  }
});
