// `run` reads its files (trust store, indicator sets, rule set) after the topics are made. Read in one go they held
// the event loop for about 1.5 s on a loaded machine (with the warm-up's first slice), and /healthz did not answer:
// each step has a turn of the loop of its own. Checked by the turns taken, not by time.
import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { loadFiles } from "../src/app/run/loading.js";
import { inSlices } from "../src/app/warm-up.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

/** How many turns of the event loop have passed since it was made. */
function turnCounter(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let on = true;
  const tick = () => {
    turns++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return { turns: () => turns, stop: () => (on = false) };
}

describe("run's start", () => {
  it("reads the indicator sets, indexes them and loads the rule set each in a turn of the event loop of its own", async () => {
    const counter = turnCounter();
    const loaded = await loadFiles({ rules: DEFAULT_RULES, indicators: join(SAMPLE_DIR, "indicators"), trustStore: join(SAMPLE_DIR, "trust.json") });
    counter.stop();
    expect(counter.turns()).toBeGreaterThanOrEqual(3);
    expect(loaded.ruleSet.id).toBe("efc-default");
    expect(loaded.sets.length).toBeGreaterThan(0);
    expect(loaded.indicators.sets.map((s) => s.id)).toEqual(loaded.sets.map((s) => s.id));
    expect(loaded.trust?.keys.length).toBeGreaterThan(0);
  });

  it("warm-up: takes its first item in a turn of its own, before the first slice runs it", async () => {
    const counter = turnCounter();
    const at: string[] = [];
    let i = 0;
    const items: Iterator<number> = {
      next: () => {
        at.push(`next ${i} in turn ${counter.turns()}`);
        return i < 3 ? { done: false, value: i++ } : { done: true, value: undefined };
      },
    };
    await inSlices(items, (n) => void at.push(`each ${n} in turn ${counter.turns()}`));
    counter.stop();
    const turn = (s: string) => Number(s.split(" in turn ")[1]);
    expect(at[0]).toMatch(/^next 0 /);
    expect(at[1]).toMatch(/^each 0 /);
    // the generator's set-up (its first next) and the decoder's compile (its first each) in two turns
    expect(turn(at[1]!)).toBeGreaterThan(turn(at[0]!));
    expect(at.filter((s) => s.startsWith("each")).length).toBe(3);
  });
});
