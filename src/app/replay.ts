// Replay: a recorded NDJSON file through the same engine the Kafka consumer runs; alerts to NDJSON, bad lines
// to a rejects file with their line number and reason. Bad input never aborts the run.
import { readLineBatches } from "../source/ndjson.js";
import { decode } from "../decode/decode.js";
import { Engine, type RuleHit } from "../engine.js";
import { NdjsonWriter, rejectRecord } from "../sinks/ndjson.js";
import type { Alert } from "../decode/events.js";
import type { RuleSet } from "../rules/ruleset.js";
import type { IndicatorIndex } from "../indicators/index.js";
import { progressBar } from "./progress.js";

export interface ReplayOptions {
  events: string;
  out: string;
  rejects: string;
  ruleSet: RuleSet;
  indicators: IndicatorIndex;
  progress?: boolean;
  /** keep the rule hits (live and shadow) for the summary */
  trackHits?: boolean;
}

export interface ReplaySummary {
  lines: number;
  events: number;
  rejected: number;
  alerts: number;
  merchants: number;
  /** the latest alert of each alerted merchant */
  latest: Map<string, Alert>;
  engine: Engine;
  hits: RuleHit[];
}

export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  const engine = new Engine(o.ruleSet, o.indicators, false, o.trackHits ?? false);
  const out = new NdjsonWriter(o.out);
  const rejects = new NdjsonWriter(o.rejects);
  const latest = new Map<string, Alert>();
  const bar = progressBar("replay", o.progress);
  let lines = 0;
  try {
    for await (const batch of readLineBatches(o.events, (done, total) => bar.update(done, total))) {
      // the whole batch decoded first, then processed: the parser's and the engine's code and data each stay in
      // the caches for a few thousand events instead of taking turns every event (faster in five of six
      // alternating replays of bench:engine's stream, docs/performance.md)
      const decoded = batch.map((l) => decode(l.bytes));
      lines += batch.length;
      for (let i = 0; i < batch.length; i++) {
        const d = decoded[i]!;
        if (!d.ok) {
          await rejects.write(rejectRecord(batch[i]!.n, d.reason, batch[i]!.bytes));
          continue;
        }
        for (const alert of engine.process(d.event)) {
          latest.set(alert.merchantId, alert);
          await out.write(alert);
        }
      }
    }
  } finally {
    bar.stop();
    await out.close();
    await rejects.close();
  }
  return {
    lines,
    events: engine.counts.events,
    rejected: rejects.count,
    alerts: out.count,
    merchants: engine.merchants.size,
    latest,
    engine,
    hits: engine.takeHits(),
  };
}
