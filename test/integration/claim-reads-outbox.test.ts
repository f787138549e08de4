// A partition's new owner starts its publisher at assignment, before its claim: rows the earlier owner commits between
// that publisher's read of the outbox and the claim that fences it (a trigger's alerts between batches, as at a
// rebalance) were read by nobody once the earlier owner's publisher, fenced by the new one's, stopped: on a quiet
// partition they waited in the outbox until its next alert. The claim is held here (a gate on PgStore.claim) so the
// order decides, not luck; the earlier owner is a store holding the partition's epoch.
import { describe, expect, it, vi } from "vitest";
import pg from "pg";
import type { Runner } from "../../src/app/run.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { PgStore, type OutboxMessage } from "../../src/sinks/postgres/store.js";
import { createTopics, freshNames, freshSchema, readTopic, startRunner, until } from "./harness.js";

const letter = (i: number): OutboxMessage => ({ dest: "dead-letter", key: null, value: Buffer.from(`bad ${i}`), headers: { "mt-reason": "not-json" } });

describe("a claim after a partition's assignment", () => {
  it("publishes what the earlier owner committed after the new owner's publisher read the outbox, with no new event", { timeout: 120_000 }, async () => {
    const n = freshNames("claimread");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const c = await pool.connect();
    await migrate(c).finally(() => c.release());
    const earlier = new PgStore(pool, n.group);
    const held = await earlier.claim(n.events, 0, "earlier-owner");
    const commit = (letters: OutboxMessage[]) =>
      earlier.commitOutputs({ topic: n.events, partition: 0, epoch: held.epoch, nextOffset: "0", alerts: [], outbox: letters, acquirerOf: () => undefined });
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    await commit([letter(1), letter(2)]);

    // the new owner's claim waits for the gate
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const claim = PgStore.prototype.claim;
    const claims = vi.spyOn(PgStore.prototype, "claim").mockImplementation(async function (this: PgStore, ...args) {
      await gate;
      return claim.apply(this, args);
    });
    let runner: Runner | undefined;
    try {
      runner = await startRunner(n, url);
      // its publisher, started at assignment, published what was there; its claim is under way
      await until("the rows left published", async () => (await outbox()) === 0, 60_000);
      await until("the claim at assignment", () => claims.mock.calls.length > 0, 30_000);
      // the earlier owner still holds the epoch: its chunk is committed
      await commit([letter(3), letter(4)]);
      open();
      const epoch = async () => (await pool.query<{ epoch: string }>("SELECT epoch::text FROM mt_partitions")).rows[0]!.epoch;
      await until("the partition claimed", async () => (await epoch()) !== held.epoch, 30_000);
      await until("the earlier owner's last rows published", async () => (await outbox()) === 0, 15_000);
      expect((await readTopic(n.dead, { idleMs: 2000 })).map((m) => m.value.toString())).toEqual(["bad 1", "bad 2", "bad 3", "bad 4"]);
    } finally {
      open();
      claims.mockRestore();
      await runner?.stop();
      await pool.end();
    }
  });
});
