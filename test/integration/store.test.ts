// The consumer's PostgreSQL store: how checkpoints land in the merchant-state table.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { PgStore } from "../../src/sinks/postgres/store.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { newMerchant } from "../../src/state/merchant.js";
import { freshNames, freshSchema } from "./harness.js";

describe("merchant-state checkpoints", () => {
  it("rewrite a merchant's row in place, on its own page", async () => {
    const n = freshNames("store");
    const pool = new pg.Pool({ connectionString: await freshSchema(n), max: 2 });
    try {
      const c = await pool.connect();
      await migrate(c);
      c.release();
      const store = new PgStore(pool, n.group);
      const { epoch } = await store.claim("ev", 0, "test");
      // rows of about the size of a real merchant's state, enough to fill several pages
      const ids = Array.from({ length: 60 }, (_, i) => `acq:M-${i}`);
      const states = (round: number) => JSON.stringify(ids.map((id) => ({ m: id, p: 0, s: { ...newMerchant(id), slots: {}, lastEventAt: round, pad: "x".repeat(1500) } })));
      const pages = async () =>
        (await pool.query<{ id: string; page: string }>("SELECT merchant_id AS id, (ctid::text::point)[0]::int::text AS page FROM mt_merchant_state ORDER BY merchant_id")).rows;
      await store.checkpoint({ topic: "ev", partition: 0, epoch, stateOffset: "10", states: states(1) });
      const before = await pages();
      // one rewrite: it needs no pruning of the old versions, which a transaction open elsewhere could hold back
      await store.checkpoint({ topic: "ev", partition: 0, epoch, stateOffset: "20", states: states(2) });
      // on a full page each new version would move to another page (and into both indexes); here it stays
      expect(await pages()).toEqual(before);
      expect((await store.loadStates("ev", 0)).every((s) => s.lastEventAt === 2)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
