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
import { decode } from "../../src/decode/decode.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { SAMPLE_INDICATORS, createTopics, freshNames, freshSchema, produce, replayAlerts, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

describe("checkpoints", () => {
  it("serialise a partition in slices while its events go on, each row as of the recorded position; the state written at the end is a replay's", { timeout: 180_000 }, async () => {
    const n = freshNames("ckpt");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const events = [...generatePopulation({ seed: 5, merchants: 3000, events: 30_000 })];
    await produce(n.events, events.map((e) => JSON.stringify(e)), { batch: 1000, pauseMs: 20 });

    const runner = await startRunner(n, url, { checkpointMs: 100, concurrentPartitions: 2, indicators: undefined });
    // private parts of the Runner's checkpoints, read to check the rule from outside
    const inside = (runner as unknown as { checkpoints: unknown }).checkpoints as {
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
    const serialise = inside.serialise.bind(inside);
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
    // timed as run's: its state keeps when a merchant took the keys a later profile kept (keysSince)
    engine.infra.timed = true;
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

  it("never record a position ahead of the saved one: the rule hits of chunks without outputs are written first", async () => {
    const n = freshNames("ckhits");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    // merchants replay never alerts: no chunk has outputs, so their rule hits wait for the position's save
    const alerted = new Set((await replayAlerts()).map((a) => a.merchantId));
    const quiet = sampleLines().filter((l) => !alerted.has((JSON.parse(l) as { merchantId: string }).merchantId));
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), loadIndicators(SAMPLE_INDICATORS), true, true);
    for (const l of quiet) {
      const d = decode(l);
      if (d.ok) engine.process(d.event);
    }
    const hits = new Set(engine.takeHits().map((h) => `${h.rule}|${h.version}|${h.merchantId}`));
    expect(hits.size).toBeGreaterThan(0);

    const runner = await startRunner(n, url, { checkpointMs: 300 });
    // the background save of positions never comes (as when the process is killed before it)
    const inside = (runner as unknown as { commits: { savePositionsNow(): Promise<void> } }).commits;
    inside.savePositionsNow = async () => undefined;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      // a checkpoint is taken after a chunk, when its turn has come: the last event comes once it has
      await produce(n.events, quiet.slice(0, -1));
      const consumed = async () => (await runner.metrics.consumed.get()).values[0]?.value ?? 0;
      await until("the events consumed", async () => (await consumed()) === quiet.length - 1);
      await new Promise((r) => setTimeout(r, 400));
      await produce(n.events, quiet.slice(-1));
      const partition = async () =>
        (await pool.query<{ state_offset: string | null; next_offset: string | null }>("SELECT state_offset, next_offset FROM mt_partitions WHERE group_id = $1", [n.group])).rows[0];
      await until("a checkpoint of every event", async () => (await partition())?.state_offset === String(quiet.length));
      // a restart now would consume from the checkpoint on: what the events before it found must be stored
      expect((await partition())!.next_offset).toBe(String(quiet.length));
      const { rows } = await pool.query<{ k: string }>("SELECT rule_id || '|' || rule_version || '|' || merchant_id AS k FROM mt_rule_hits");
      expect(new Set(rows.map((r) => r.k))).toEqual(hits);
    } finally {
      await pool.end();
      await runner.stop();
    }
  });
});
