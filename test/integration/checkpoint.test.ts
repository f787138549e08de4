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
    try {
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    expect(sliced).toBeGreaterThan(0);
    expect(processedWhileHeld).toBe(0);

    // what the stop's checkpoint wrote is what a replay of every event makes
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), new IndicatorIndex());
    for (const e of events) engine.process(e);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query<{ state: StoredMerchant }>("SELECT state FROM mt_merchant_state WHERE group_id = $1", [n.group]);
      expect(rows).toHaveLength(engine.merchants.size);
      const replayed = new Map([...engine.merchants.values()].map((m) => [m.id, JSON.parse(JSON.stringify(engine.snapshot(m)))]));
      for (const { state } of rows) expect(state).toEqual(replayed.get(state.id));
    } finally {
      await pool.end();
    }
  });
});
