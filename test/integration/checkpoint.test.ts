// Checkpoints serialise a partition's state in slices, letting other partitions' chunks run in between; the
// partition itself must wait, or state newer than the recorded position would be written.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { generatePopulation } from "../../src/fixtures/generate.js";
import { Engine } from "../../src/engine.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { IndicatorIndex } from "../../src/indicators/index.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import type { Event } from "../../src/decode/events.js";
import type { StoredMerchant } from "../../src/state/merchant.js";
import { PgStore } from "../../src/sinks/postgres/store.js";
import { createTopics, freshNames, freshSchema, produce, startRunner, waitCaughtUp } from "./harness.js";

describe("checkpoints", () => {
  it("serialise a partition in slices while its chunks wait; the state written is a replay's", { timeout: 180_000 }, async () => {
    const n = freshNames("ckpt");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const events = [...generatePopulation({ seed: 5, merchants: 3000, events: 30_000 })];
    await produce(n.events, events.map((e) => JSON.stringify(e)), { batch: 1000, pauseMs: 20 });

    const runner = await startRunner(n, url, { checkpointMs: 100, concurrentPartitions: 2, indicators: undefined });
    // private parts of the Runner, read to check the rule from outside
    const inside = runner as unknown as {
      owned: Map<number, { hold?: Promise<void> }>;
      partitionOf: Map<string, number>;
      serialise: (p: number, owned: unknown) => Promise<{ merchants: string[] }>;
    };
    let processedWhileHeld = 0;
    let sliced = 0;
    const process = runner.engine.process.bind(runner.engine);
    runner.engine.process = (e: Event) => {
      if (inside.owned.get(inside.partitionOf.get(e.merchantId)!)?.hold) processedWhileHeld++;
      return process(e);
    };
    const serialise = inside.serialise.bind(runner);
    inside.serialise = async (p, owned) => {
      const w = await serialise(p, owned);
      if (w.merchants.length > 200) sliced++;
      return w;
    };
    // rows written, and those that carried the merchant's profile (only when it is a new one)
    const store = (runner as unknown as { store: PgStore }).store;
    const write = store.checkpoint.bind(store);
    let rowsWritten = 0;
    let profilesWritten = 0;
    store.checkpoint = async (b) => {
      for (const r of JSON.parse(b.states) as { pr?: unknown }[]) {
        rowsWritten++;
        if (r.pr) profilesWritten++;
      }
      return write(b);
    };
    try {
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    expect(sliced).toBeGreaterThan(0);
    expect(processedWhileHeld).toBe(0);
    const profileEvents = events.filter((e) => e.type === "merchant").length;
    expect(profilesWritten).toBeGreaterThan(0);
    expect(profilesWritten).toBeLessThanOrEqual(profileEvents);
    expect(rowsWritten).toBeGreaterThan(profilesWritten);

    // what the stop's checkpoint wrote is what a replay of every event makes
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), new IndicatorIndex());
    for (const e of events) engine.process(e);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const store = new PgStore(pool, n.group);
      const stored = [...(await store.loadStates(n.events, 0)), ...(await store.loadStates(n.events, 1))];
      expect(stored).toHaveLength(engine.merchants.size);
      const replayed = new Map([...engine.merchants.values()].map((m) => [m.id, JSON.parse(JSON.stringify(engine.snapshot(m))) as StoredMerchant]));
      for (const state of stored) expect(state).toEqual(replayed.get(state.id));
      // the profile is in a column of its own, written when it changed; the state column holds the rest
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_merchant_state WHERE group_id = $1 AND (profile IS NULL OR state::jsonb ? 'profile')", [n.group]);
      expect(rows[0]!.n).toBe("0");
    } finally {
      await pool.end();
    }
  });
});
