// Checkpoints serialise a partition's state in slices while every partition's chunks go on; a merchant an event is
// about to change is serialised first, so each row is the state at the recorded position, never a newer one.
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
  it("serialise a partition in slices while its events go on, each row as of the recorded position; the state written at the end is a replay's", { timeout: 180_000 }, async () => {
    const n = freshNames("ckpt");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const events = [...generatePopulation({ seed: 5, merchants: 3000, events: 30_000 })];
    await produce(n.events, events.map((e) => JSON.stringify(e)), { batch: 1000, pauseMs: 20 });

    const runner = await startRunner(n, url, { checkpointMs: 100, concurrentPartitions: 2, indicators: undefined });
    // private parts of the Runner, read to check the rule from outside
    const inside = runner as unknown as {
      cut?: { pending: Set<string> };
      serialise: (p: number, owned: { dirty: Set<string> }) => Promise<{ merchants: string[]; states: string }>;
    };
    // events that changed a merchant still waiting in the checkpoint being serialised
    let changedWhilePending = 0;
    const process = runner.engine.process.bind(runner.engine);
    runner.engine.process = (e: Event) => {
      if (inside.cut?.pending.has(e.merchantId)) changedWhilePending++;
      return process(e);
    };
    // each checkpoint's rows against the state its merchants had when it began (its recorded position)
    let sliced = 0;
    let rowsChecked = 0;
    const notAsOfStart: string[] = [];
    const serialise = inside.serialise.bind(runner);
    inside.serialise = async (p, owned) => {
      const atStart = new Map<string, string>();
      for (const id of owned.dirty) {
        const { profile: _, ...state } = runner.engine.snapshot(runner.engine.merchants.get(id)!);
        atStart.set(id, JSON.stringify(state));
      }
      const w = await serialise(p, owned);
      if (w.merchants.length > 200) sliced++;
      for (const r of JSON.parse(w.states) as { m: string; s: unknown }[]) {
        rowsChecked++;
        if (JSON.stringify(r.s) !== atStart.get(r.m)) notAsOfStart.push(r.m);
      }
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
    expect(changedWhilePending).toBeGreaterThan(0);
    expect(rowsChecked).toBeGreaterThan(0);
    expect(notAsOfStart).toEqual([]);
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
