// /readyz while PostgreSQL answers but refuses the consumer's writes (a standby promoted the other way round after a
// failover, a full disk, a privilege taken away, a chunk's content): its database check is a SELECT 1, which passes,
// so the process said ready while no chunk's outputs or position were saved. Now a `commits` check fails, per
// partition (one partition's commits do not hide another's), until the partition's commits succeed again.
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

describe("readiness while PostgreSQL refuses the consumer's writes", () => {
  it("is not ready while a partition's commits are refused, saying which, why and what to check, until they succeed again", { timeout: 120_000 }, async () => {
    const n = freshNames("rdycommit");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const runner = await startRunner(n, url);
    const store = (runner as unknown as { store: PgStore }).store;
    const commit = store.commitOutputs.bind(store);
    let refusing = true;
    store.commitOutputs = async (b) => {
      if (refusing && b.partition === 0) throw new Error("injected: cannot execute INSERT in a read-only transaction");
      return commit(b);
    };
    try {
      await produce(n.events, sampleLines());
      await until("partition 1 committed", async () => (await pool.query("SELECT 1 FROM mt_partitions WHERE partition = 1 AND next_offset IS NOT NULL")).rowCount === 1, 60_000);
      await until("partition 0's commits refused", async () => (await runner.readiness()).checks.commits?.ok === false, 60_000);
      // partition 1 goes on committing: partition 0 is still said to be held up
      const committed = async () => (await pool.query<{ n: string }>("SELECT next_offset AS n FROM mt_partitions WHERE partition = 1")).rows[0]!.n;
      const before = await committed();
      await produce(n.events, sampleLines().slice(0, 200));
      await until("partition 1 committed again", async () => (await committed()) !== before, 30_000);
      const r = await runner.readiness();
      expect(r.ready).toBe(false);
      // PostgreSQL itself answers
      expect(r.checks.database).toEqual({ ok: true });
      expect(r.checks.commits?.detail).toMatch(
        /^partition 0: PostgreSQL has refused the outputs' and positions' writes \d+ times since \S+ \(injected: cannot execute INSERT in a read-only transaction\): nothing of those partitions is saved until it takes them; check that the database is writable/,
      );

      refusing = false;
      await waitCaughtUp(n, url);
      await until("ready again", async () => (await runner.readiness()).ready, 30_000);
    } finally {
      await runner.stop();
      await pool.end();
    }
  });
});
