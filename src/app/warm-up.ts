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

/**
 * How long the warm-up runs between two turns of the event loop. Run in one go, 200,000 events held the process for
 * seconds (far more on a loaded machine), and /healthz did not answer meanwhile: a liveness probe killed the pod.
 * Measured in time, not in events: the first events, on code not optimised yet, each cost many times a later one.
 */
const SLICE_MS = 20;

/**
 * Runs `each` on `items`, a turn of the event loop every SLICE_MS, its memo lookups not counted; `stop` aborted, throws
 * its reason. The first item is taken in a turn of its own: the generator makes its card pools at its first event,
 * work that gets a turn to itself instead of sharing one with a slice of events.
 */
export async function inSlices<T>(items: Iterator<T>, each: (item: T) => void, stop?: AbortSignal): Promise<void> {
  const turn = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    stop?.throwIfAborted();
  };
  let r = items.next();
  await turn();
  while (!r.done) {
    const first = r.value;
    r = Memo.uncounted(() => {
      const until = performance.now() + SLICE_MS;
      for (let item = first; ; ) {
        each(item);
        const next = items.next();
        if (next.done || performance.now() >= until) return next;
        item = next.value;
      }
    });
    await turn();
  }
}

/** `stop`: aborted (a stop during the start), the warm-up ends at its next turn of the event loop, throwing its reason. */
export async function warmUp(ruleSet: RuleSet, indicators: IndicatorIndex, events: number, maxMessageBytes: number, stop?: AbortSignal): Promise<{ events: number; ms: number }> {
  const t0 = performance.now();
  if (events === 0) return { events, ms: 0 };
  const engine = new Engine(ruleSet, indicators, true, true);
  await inSlices(generatePopulation({ seed: 1, merchants: Math.max(1, Math.round(events / 10)), events, typologyShare: 0.2 }), (e) => {
    const d = decode(Buffer.from(JSON.stringify(e)), maxMessageBytes);
    if (d.ok) for (const a of engine.process(d.event)) JSON.stringify(a);
  }, stop);
  await inSlices(engine.merchants.values(), (m) => JSON.stringify(engine.snapshot(m)), stop);
  return { events, ms: Math.round(performance.now() - t0) };
}
