// npm run bench:engine — replay of generated events with the full default pack, against a baseline measured
// in the same run on the same file: read + JSON.parse + schema validation only. Prints one JSON line last and
// records the figures in BENCHMARKS.md.
import { mkdtempSync, rmSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { generatePopulation, populationIndicators } from "../fixtures/generate.js";
import { readLineBatches } from "../source/ndjson.js";
import { decode } from "../decode/decode.js";
import { replay } from "../app/replay.js";
import { loadRuleSet } from "../rules/ruleset.js";
import { IndicatorIndex } from "../indicators/index.js";
import { DEFAULT_RULES } from "../lib/paths.js";
import { progressBar } from "../app/progress.js";
import { recordBenchmark } from "./record.js";
import { percentile } from "./stats.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 100_000);
/** rounds of baseline then engine; the best of each is reported, as this machine's speed varies by the minute */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function writeEvents(path: string): Promise<void> {
  const out = createWriteStream(path);
  const bar = progressBar("generate");
  let n = 0;
  for (const e of generatePopulation({ seed: 7, merchants: MERCHANTS, events: EVENTS })) {
    if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, "drain");
    if (++n % 50_000 === 0) bar.update(n * 1e5, EVENTS * 1e5);
  }
  bar.stop();
  out.end();
  await once(out, "finish");
}

async function baseline(path: string): Promise<{ seconds: number; valid: number }> {
  const t0 = process.hrtime.bigint();
  let valid = 0;
  for await (const batch of readLineBatches(path)) for (const l of batch) if (decode(l.bytes).ok) valid++;
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, valid };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mt-bench-"));
  try {
    const events = join(dir, "events.ndjson");
    process.stderr.write(`generating ${EVENTS} events over ${MERCHANTS} merchants...\n`);
    await writeEvents(events);
    const ruleSet = loadRuleSet(DEFAULT_RULES);
    const indicators = new IndicatorIndex();
    indicators.add(populationIndicators(7));

    let best = { base: Infinity, engine: Infinity };
    let last: Awaited<ReturnType<typeof replay>> | undefined;
    let valid = 0;
    let heapBefore = 0;
    const roundRatios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      last = undefined;
      const b = await baseline(events);
      valid = b.valid;
      global.gc?.();
      heapBefore = process.memoryUsage().heapUsed;
      const t0 = process.hrtime.bigint();
      last = await replay({ events, out: join(dir, "alerts.ndjson"), rejects: join(dir, "rejects.ndjson"), ruleSet, indicators, progress: false });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      best = { base: Math.min(best.base, b.seconds), engine: Math.min(best.engine, seconds) };
      roundRatios.push(Number((b.seconds / seconds).toFixed(3)));
      process.stderr.write(`round ${round}: baseline ${(valid / b.seconds).toFixed(0)} ev/s, engine ${(last.events / seconds).toFixed(0)} ev/s\n`);
    }
    const s = last!;
    global.gc?.();
    const heapPerMerchant = Math.round((process.memoryUsage().heapUsed - heapBefore) / s.merchants);
    let stateBytes = 0;
    for (const m of s.engine.merchants.values()) stateBytes += Buffer.byteLength(JSON.stringify(s.engine.snapshot(m)));
    const result = {
      bench: "engine",
      events: s.events,
      merchants: s.merchants,
      alerts: s.alerts,
      alertedMerchants: s.latest.size,
      rejected: s.rejected,
      baselineEventsPerSec: Math.round(valid / best.base),
      engineEventsPerSec: Math.round(s.events / best.engine),
      // each round's baseline and engine ran a minute apart; the best of each may come from rounds minutes apart,
      // and this machine's speed changes by the minute, so the ratio reported is the median round's
      ratio: percentile([...roundRatios].sort((a, b) => a - b), 0.5),
      bestOfEachRatio: Number((best.base / best.engine).toFixed(3)),
      roundRatios,
      stateBytesPerMerchant: Math.round(stateBytes / s.merchants),
      heapBytesPerMerchant: global.gc ? heapPerMerchant : null,
      infraKeys: s.engine.infra.size,
      heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6),
      node: process.version,
    };
    recordBenchmark("engine", "npm run bench:engine", [
      `| events | merchants | baseline ev/s (read+parse+validate) | engine ev/s (full pack) | engine/baseline | state bytes/merchant (JSON) | heap bytes/merchant (state, indexes) | alerts |`,
      `|---|---|---|---|---|---|---|---|`,
      `| ${result.events} | ${result.merchants} | ${result.baselineEventsPerSec} | ${result.engineEventsPerSec} | ${(result.ratio * 100).toFixed(1)}% | ${result.stateBytesPerMerchant} | ${result.heapBytesPerMerchant ?? "n/a"} | ${result.alerts} on ${result.alertedMerchants} merchants |`,
      "",
      `${ROUNDS} rounds, each the baseline then the engine. Events/s: the best of each. Engine/baseline: the median of the rounds' own ratios (${roundRatios.map((r) => `${(r * 100).toFixed(1)}%`).join(", ")}); the two bests' ratio is ${(result.bestOfEachRatio * 100).toFixed(1)}%.`,
      "",
      "Targets: at least 300,000 events/s, at least 60% of the baseline, at most 2 KiB of state per merchant.",
    ]);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
