// A consumer that has lost a partition cannot write: its epoch is older than the new owner's.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { PgStore, FencedError } from "../../src/sinks/postgres/store.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { newMerchant } from "../../src/state/merchant.js";
import { freshNames, freshSchema } from "./harness.js";

describe("fencing", () => {
  it("refuses the old owner's batch after another consumer claimed the partition, and keeps the new owner's", async () => {
    const n = freshNames("fence");
    const pool = new pg.Pool({ connectionString: await freshSchema(n), max: 2 });
    try {
      const c = await pool.connect();
      await migrate(c);
      c.release();
      const store = new PgStore(pool, n.group);
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
});
