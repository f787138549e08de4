// A checkpoint is taken after a chunk when its turn has come; when the topic goes quiet, the changes since the last
// one are checkpointed all the same, without waiting for the next event, and a partition with nothing to save is
// not written again.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { generatePopulation } from "../../src/fixtures/generate.js";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import { createTopics, freshNames, freshSchema, produce, startRunner, until } from "./harness.js";

const CHECKPOINT_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("checkpoints in a quiet spell", () => {
  it("write the last events' state within about MT_CHECKPOINT_MS without a new event, and nothing once saved", { timeout: 90_000 }, async () => {
    const n = freshNames("ckquiet");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = [...generatePopulation({ seed: 11, merchants: 40, events: 400 })].map((e) => JSON.stringify(e));

    const runner = await startRunner(n, url, { checkpointMs: CHECKPOINT_MS, indicators: undefined });
    const store = (runner as unknown as { store: PgStore }).store;
    const write = store.checkpoint.bind(store);
    let writes = 0;
    store.checkpoint = async (b) => {
      writes++;
      return write(b);
    };
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const consumed = async () => (await runner.metrics.consumed.get()).values[0]?.value ?? 0;
    const stateOffset = async () => (await pool.query<{ state_offset: string | null }>("SELECT state_offset FROM mt_partitions WHERE group_id = $1", [n.group])).rows[0]?.state_offset;
    try {
      await produce(n.events, lines.slice(0, -2));
      await until("the first events consumed", async () => (await consumed()) === lines.length - 2);
      // longer than MT_CHECKPOINT_MS since any checkpoint: the next chunk's turn has come, and it is checkpointed
      await sleep(CHECKPOINT_MS + 500);
      await produce(n.events, lines.slice(-2, -1));
      await until("the next event consumed", async () => (await consumed()) === lines.length - 1);
      // the last event comes right after that checkpoint: its chunk's turn has not come, and no event follows
      await produce(n.events, lines.slice(-1));
      await until("the last event consumed", async () => (await consumed()) === lines.length);
      await until("a checkpoint of the last event, without a new one", async () => (await stateOffset()) === String(lines.length), 3 * CHECKPOINT_MS);
      // saved: nothing changed since, so the quiet partition is not written again
      const before = writes;
      await sleep(CHECKPOINT_MS + 1500);
      expect(writes).toBe(before);
    } finally {
      await pool.end();
      await runner.stop();
    }
  });
});
