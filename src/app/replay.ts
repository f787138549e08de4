// Replay: a recorded NDJSON file through the same engine the Kafka consumer runs; alerts to NDJSON, bad lines
// to a rejects file with their line number and reason. Bad input never aborts the run.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { readLineBatches, type LineCount } from "../source/ndjson.js";
import { DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BYTES, MAX_BYTES_FLAG, decode, type AheadLimit } from "../decode/decode.js";
import { Engine, type RuleHit } from "../engine.js";
import { NdjsonWriter, rejectRecord } from "../sinks/ndjson.js";
import type { Alert } from "../decode/events.js";
import type { RuleSet } from "../rules/ruleset.js";
import type { IndicatorIndex } from "../indicators/index.js";
import { progressBar } from "./progress.js";
import { UsageError, checkInputFile } from "../lib/errors.js";

export interface ReplayOptions {
  events: string;
  out: string;
  rejects: string;
  ruleSet: RuleSet;
  indicators: IndicatorIndex;
  progress?: boolean;
  /** keep the rule hits (live and shadow) for the summary */
  trackHits?: boolean;
  /** how far an event may be dated after the start of the replay (default DEFAULT_MAX_AHEAD_MS) */
  maxAheadMs?: number;
  /** larger lines are rejected, as `run` dead-letters larger messages (default DEFAULT_MAX_BYTES, run's default) */
  maxMessageBytes?: number;
}

export interface ReplaySummary {
  /** every line of the file: events + repeated + rejected + blank */
  lines: number;
  events: number;
  /** events whose id their merchant was recently sent: applied once, the repeats skipped */
  repeated: number;
  rejected: number;
  /** empty or only whitespace: skipped */
  blank: number;
  alerts: number;
  merchants: number;
  /** the latest alert of each alerted merchant */
  latest: Map<string, Alert>;
  engine: Engine;
  hits: RuleHit[];
}

/** The same file by another name too: a symbolic or hard link, or another spelling of the path. */
export function sameFile(a: string, b: string): boolean {
  const [x, y] = [statSync(a, { throwIfNoEntry: false }), statSync(b, { throwIfNoEntry: false })];
  return x && y ? x.dev === y.dev && x.ino === y.ino : resolve(a) === resolve(b);
}

/** Refuses, before any file is opened, input that is not there and outputs that would overwrite the input or each other. */
function checkFiles(o: ReplayOptions): void {
  checkInputFile("--events", o.events, "events file");
  // opening an output truncates it: the events would be gone before the first line is read
  if (sameFile(o.events, o.out)) throw new UsageError(`--out ${o.out} is the events file ${o.events}: writing the alerts there would destroy the events; give another --out file`);
  if (sameFile(o.events, o.rejects))
    throw new UsageError(`the rejects file ${o.rejects} is the events file ${o.events}: writing rejects there would destroy the events; give another --rejects file`);
  if (sameFile(o.out, o.rejects)) throw new UsageError(`the rejects file ${o.rejects} is the --out file: give another --rejects file`);
}

export async function replay(o: ReplayOptions): Promise<ReplaySummary> {
  checkFiles(o);
  const engine = new Engine(o.ruleSet, o.indicators, false, o.trackHits ?? false);
  const out = new NdjsonWriter(o.out);
  const rejects = new NdjsonWriter(o.rejects);
  const latest = new Map<string, Alert>();
  const bar = progressBar("replay", o.progress);
  const count: LineCount = { lines: 0, blank: 0 };
  // a recorded file has no message times: none of its events can be dated after the replay began
  const ahead: AheadLimit = { maxAheadMs: o.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS, reference: "the start of the replay", setting: "--max-ahead-ms" };
  const began = Date.now();
  const maxBytes = o.maxMessageBytes ?? DEFAULT_MAX_BYTES;
  try {
    for await (const batch of readLineBatches(o.events, (done, total) => bar.update(done, total), count)) {
      // the whole batch decoded first, then processed: the parser's and the engine's code and data each stay in
      // the caches for a few thousand events instead of taking turns every event (faster in five of six
      // alternating replays of bench:engine's stream, docs/performance.md)
      const decoded = batch.map((l) => decode(l.bytes, maxBytes, ahead, began, MAX_BYTES_FLAG));
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
    lines: count.lines,
    events: engine.counts.events,
    repeated: engine.counts.repeated,
    rejected: rejects.count,
    blank: count.blank,
    alerts: out.count,
    merchants: engine.merchants.size,
    latest,
    engine,
    hits: engine.takeHits(),
  };
}
