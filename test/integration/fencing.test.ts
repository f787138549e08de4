// A consumer that has lost a partition cannot write: its epoch is older than the new owner's.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { PgStore, FencedError } from "../../src/sinks/postgres/store.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { newMerchant } from "../../src/state/merchant.js";
import { freshNames, freshSchema, freshStore } from "./harness.js";

describe("fencing", () => {
  it("refuses the old owner's batch after another consumer claimed the partition, and keeps the new owner's", async () => {
    const n = freshNames("fence");
    const { pool, store } = await freshStore(n);
    try {
      const old = await store.claim("ev", 0, "old");
      const stored = (id: string) => JSON.stringify([{ m: id, p: 0, s: { ...newMerchant(id), slots: {} } }]);
      const outputs = (epoch: string, nextOffset: string) => ({ topic: "ev", partition: 0, epoch, nextOffset, alerts: [], outbox: [], acquirerOf: () => undefined });
      const checkpoint = (epoch: string, stateOffset: string, id: string) => ({ topic: "ev", partition: 0, epoch, stateOffset, states: stored(id) });
      await store.commitOutputs(outputs(old.epoch, "10"));
      await store.checkpoint(checkpoint(old.epoch, "10", "m-old"));
      const next = await store.claim("ev", 0, "new");
      expect(BigInt(next.epoch)).toBeGreaterThan(BigInt(old.epoch));
      expect([next.nextOffset, next.stateOffset]).toEqual(["10", "10"]);
      await expect(store.commitOutputs(outputs(old.epoch, "20"))).rejects.toBeInstanceOf(FencedError);
      // a chunk with outputs is refused whole: no outbox row, no reserved number
      const letter = { dest: "dead-letter" as const, key: null, value: Buffer.from("not json"), headers: { "mt-reason": "not-json" } };
      await expect(store.commitOutputs({ ...outputs(old.epoch, "20"), outbox: [letter, letter] })).rejects.toBeInstanceOf(FencedError);
      expect(await store.pendingOutbox("ev", 0, "0")).toEqual([]);
      await store.commitOutputs({ ...outputs(next.epoch, "12"), outbox: [letter, letter] });
      expect((await store.pendingOutbox("ev", 0, "0")).map((r) => r.seq)).toEqual(["1", "2"]);
      await expect(store.checkpoint(checkpoint(old.epoch, "20", "m-zombie"))).rejects.toBeInstanceOf(FencedError);
      await store.commitOutputs(outputs(next.epoch, "15"));
      await store.checkpoint(checkpoint(next.epoch, "15", "m-new"));
      const rows = await pool.query<{ next_offset: string; state_offset: string }>("SELECT next_offset, state_offset FROM mt_partitions WHERE group_id = $1", [n.group]);
      expect(rows.rows[0]).toEqual({ next_offset: "15", state_offset: "15" });
      expect((await store.loadStates("ev", 0)).map((s) => s.id).sort()).toEqual(["m-new", "m-old"]);
    } finally {
      await pool.end();
    }
  });

  it("a checkpoint does not hold up the partition's chunks while it writes, and a claim made meanwhile rolls it back", async () => {
    const n = freshNames("fence-ckpt");
    const pool = new pg.Pool({ connectionString: await freshSchema(n), max: 4 });
    const blocker = await pool.connect();
    try {
      await migrate(blocker);
      const store = new PgStore(pool, n.group);
      const stored = (...ids: string[]) => JSON.stringify(ids.map((id) => ({ m: id, p: 0, s: { ...newMerchant(id), slots: {} } })));
      const outputs = (epoch: string, nextOffset: string) => ({ topic: "ev", partition: 0, epoch, nextOffset, alerts: [], outbox: [], acquirerOf: () => undefined });
      const old = await store.claim("ev", 0, "old");
      await store.checkpoint({ topic: "ev", partition: 0, epoch: old.epoch, stateOffset: "5", states: stored("m-1") });
      // another session holds m-1's row: the next checkpoint's write of m-1 waits on it, mid-transaction
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM mt_merchant_state WHERE group_id = $1 AND merchant_id = 'm-1' FOR UPDATE", [n.group]);
      const slow = store.checkpoint({ topic: "ev", partition: 0, epoch: old.epoch, stateOffset: "10", states: stored("m-2", "m-1") });
      const settled = slow.then(
        () => "ok",
        (err: Error) => err,
      );
      await new Promise((r) => setTimeout(r, 200));
      // the chunk commits while the checkpoint is still writing
      await store.commitOutputs(outputs(old.epoch, "12"));
      // and another consumer claims the partition meanwhile
      const next = await store.claim("ev", 0, "new");
      await blocker.query("COMMIT");
      expect(await settled).toBeInstanceOf(FencedError);
      const row = await pool.query<{ next_offset: string; state_offset: string; epoch: string }>(
        "SELECT next_offset, state_offset, epoch::text FROM mt_partitions WHERE group_id = $1",
        [n.group],
      );
      expect(row.rows[0]).toEqual({ next_offset: "12", state_offset: "5", epoch: next.epoch });
      // nothing of the refused checkpoint stays
      expect((await store.loadStates("ev", 0)).map((s) => s.id)).toEqual(["m-1"]);
    } finally {
      blocker.release();
      await pool.end();
    }
  });
});
