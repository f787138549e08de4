// The consumer's PostgreSQL store: how checkpoints land in the merchant-state table, and how flag notices are read.
import { describe, it, expect } from "vitest";
import type pg from "pg";
import { newMerchant } from "../../src/state/merchant.js";
import { FLAGS_START } from "../../src/sinks/postgres/store.js";
import { freshNames, freshStore } from "./harness.js";

describe("merchant-state checkpoints", () => {
  it("rewrite a merchant's row in place, on its own page", async () => {
    const n = freshNames("store");
    const { pool, store } = await freshStore(n);
    try {
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

  it("keep a merchant's profile from the checkpoint that wrote it, and read rows written with the profile inside the state", async () => {
    const n = freshNames("store-profile");
    const { pool, store } = await freshStore(n);
    try {
      const { epoch } = await store.claim("ev", 0, "test");
      const profile = { eventId: "e-1", acquirerId: "acq", descriptor: "SHOP*ONE", mcc: "5999", country: "NL", websites: ["https://shop.example/"], domains: ["shop.example"], principals: [], wallets: [], ips: [], analyticsIds: [] };
      const row = (id: string, lastEventAt: number, pr?: object) => ({ m: id, p: 0, s: { ...newMerchant(id), slots: {}, lastEventAt }, ...(pr && { pr }) });
      await store.checkpoint({ topic: "ev", partition: 0, epoch, stateOffset: "1", states: JSON.stringify([row("m-1", 1, profile)]) });
      await store.checkpoint({ topic: "ev", partition: 0, epoch, stateOffset: "2", states: JSON.stringify([row("m-1", 2)]) });
      // a row from before the profile had a column of its own
      await pool.query("INSERT INTO mt_merchant_state (group_id, merchant_id, topic, partition, state) VALUES ($1, 'm-old', 'ev', 0, $2)", [
        n.group,
        JSON.stringify({ ...newMerchant("m-old"), slots: {}, profile: { ...profile, descriptor: "OLD*SHOP" } }),
      ]);
      const byId = new Map((await store.loadStates("ev", 0)).map((s) => [s.id, s]));
      expect([byId.get("m-1")!.lastEventAt, byId.get("m-1")!.profile]).toEqual([2, profile]);
      expect(byId.get("m-old")!.profile!.descriptor).toBe("OLD*SHOP");
    } finally {
      await pool.end();
    }
  });
});

describe("flag notices (mt_flags)", () => {
  it("a reader never passes a notice whose transaction commits after a later one's", async () => {
    const n = freshNames("store-flags");
    const { pool, store } = await freshStore(n, 3);
    const notice = (id: string) => ({ merchantId: id, eventId: `e-${id}`, occurredAt: "2026-03-01T00:00:00Z", keys: [{ kind: "ip", value: "192.0.2.1" }] });
    const write = (c: pg.PoolClient | pg.Pool, id: string) =>
      c.query("INSERT INTO mt_flags (group_id, partition, notice) VALUES ($1, 0, $2)", [n.group, JSON.stringify(notice(id))]);
    const early = await pool.connect();
    try {
      // the first writer takes its sequence number and stays open; a second writes after it and commits
      await early.query("BEGIN");
      await write(early, "first");
      await write(pool, "second");
      expect(await store.flagsSince(FLAGS_START)).toEqual([]);
      await early.query("COMMIT");
      // any write transaction of the cluster still open holds notices back (another test file's, beside this one):
      // they come once it ends
      const ids = (rows: { notice: unknown }[]) => rows.map((r) => (r.notice as { merchantId: string }).merchantId);
      let rows: Awaited<ReturnType<typeof store.flagsSince>> = [];
      await expect.poll(async () => ids((rows = await store.flagsSince(FLAGS_START))), { timeout: 30_000 }).toEqual(["first", "second"]);
      // from the last one read on, nothing again; a new notice after it
      expect(await store.flagsSince(rows[1]!)).toEqual([]);
      await write(pool, "third");
      await expect.poll(async () => ids(await store.flagsSince(rows[1]!)), { timeout: 30_000 }).toEqual(["third"]);
    } finally {
      early.release();
      await pool.end();
    }
  });
});
