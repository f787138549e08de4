// A consumer's first seconds run on code V8 has not optimised yet. On bench:kafka's latency phase the first
// second of events cost 1.0–1.8 ms each in the consumer against about 0.2 ms ten seconds later, and the backlog
// built then was most of the run's p99. So before joining the group, `moneytrail run` puts a seeded synthetic
// population (the benchmarks' generator, reserved names only) through the decoder and a throwaway engine with the
// rule set and indicator sets in force, and serialises its merchants as a checkpoint does. Nothing of it is kept
// but what V8 learnt (and entries in the bounded URL memos, whose lookup counts on /metrics it leaves as they were).
import { generatePopulation } from "../fixtures/generate.js";
import { decode } from "../decode/decode.js";
import { Engine } from "../engine.js";
import type { RuleSet } from "../rules/ruleset.js";
import type { IndicatorIndex } from "../indicators/index.js";
import { Memo } from "../lib/memo.js";

export function warmUp(ruleSet: RuleSet, indicators: IndicatorIndex, events: number, maxMessageBytes: number): { events: number; ms: number } {
  const t0 = performance.now();
  if (events === 0) return { events, ms: 0 };
  Memo.uncounted(() => {
    const engine = new Engine(ruleSet, indicators, true, true);
    for (const e of generatePopulation({ seed: 1, merchants: Math.max(1, Math.round(events / 10)), events, typologyShare: 0.2 })) {
      const d = decode(Buffer.from(JSON.stringify(e)), maxMessageBytes);
      if (d.ok) for (const a of engine.process(d.event)) JSON.stringify(a);
    }
    for (const m of engine.merchants.values()) JSON.stringify(engine.snapshot(m));
  });
  return { events, ms: Math.round(performance.now() - t0) };
}
