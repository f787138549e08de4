// npm run soak -- [--minutes 30] [--rate 1500] [--merchants 50000] [--bad-every 1000] [--seed 21] [--span-days 61] [--no-record]
//
// A soak test of `moneytrail run` as it is deployed: two consumer processes (dist/cli.js, each with its own
// MT_METRICS_PORT, MT_HTTP_PORT=0) in one consumer group sharing the 6 partitions of a fresh events topic, generated
// events (generatePopulation) produced at a sustained offered rate for the duration, with one malformed message in
// every --bad-every events for the dead-letter path. Every 10 s each process's /metrics is scraped (RSS, heap used,
// heap after the latest major GC, lag per partition, counters, the event-to-alert histogram) and a progress line
// printed. At the end: production stops, the consumers drain to lag 0, they are stopped with SIGTERM, and the run is
// reconciled:
//   produced = consumed (sum over the processes; replays after a handover are not counted, see run.ts)
//            = processed + dead-lettered;  dead-lettered = malformed produced = messages on the dead-letter topic;
//   alerts on the alerts topic (read_committed, by alert id) = rows in mt_alerts = alerts_raised_total;
//   one open case per alerted merchant.
// Memory is called flat when, in each process, the mean RSS and the mean heap after major GC
// (moneytrail_heap_after_major_gc_bytes) of the last 10 minutes are within 10% of those of an early window: minutes
// 5-15, or for runs of 60 minutes or more the 10 minutes after the first half (minutes 5-15 are still the warm-up, in
// which bounded structures fill); those runs report the comparison with minutes 5-15 too, not judged, and the slopes
// over the second half. The heap after a major GC is what the process retains; the sampled heap used is reported but
// not judged: it is a sawtooth between collections whose level follows when V8 chooses to collect, not what is
// retained. Lag is called bounded when the total lag never exceeded 10 s of the offered rate. Results go to
// BENCHMARKS.md (section "soak", unless --no-record), a chart of memory and lag to docs/soak.svg, and the samples to
// out/soak-<id>/. One JSON line last on stdout; exit code 1 when a reconciliation check fails.
//
// Broker: KAFKA_BROKERS, else a local Apache Kafka started with scripts/kafka-local.mjs (KAFKA_LOCAL_CACHE and
// KAFKA_LIBS are honoured). PostgreSQL: a fresh database on DATABASE_URL's server (default
// postgres://postgres@127.0.0.1:5432/test), dropped at the end unless --keep. Not part of `npm test`.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { cpus } from "node:os";
import pg from "pg";
import { Kafka, logLevel, Partitioners, CompressionTypes, type Admin } from "kafkajs";
import { generatePopulation, populationIndicators } from "../fixtures/generate.js";
import { PACKAGE_ROOT } from "../lib/paths.js";
import { MEMO_CAP } from "../lib/url.js";
import { ensureTopics } from "../source/kafka.js";
import { recordBenchmark } from "./record.js";
import { lineChart, type Band, type Series } from "./chart.js";
import { Cleanups, benchBroker, benchServerUrl, onServer, until as pollUntil } from "./infra.js";
import {
  byLabel,
  histogram,
  histogramQuantile,
  histogramSince,
  machineTicks,
  sumHistograms,
  postgresTicks,
  procTicks,
  readiness,
  scrape,
  sleep,
  spawnConsumer,
  stopConsumer,
  total,
  type Consumer,
  type Scrape,
} from "./processes.js";

const { values: opt } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "1500" },
    merchants: { type: "string", default: "50000" },
    "typology-share": { type: "string", default: "0.01" },
    "bad-every": { type: "string", default: "1000" },
    seed: { type: "string", default: "21" },
    /** days of event time the stream spans: a long span brings merchants' state to its caps early in the run */
    "span-days": { type: "string", default: "61" },
    "sample-seconds": { type: "string", default: "10" },
    "drain-minutes": { type: "string", default: "15" },
    chart: { type: "string" },
    /** only re-draw the chart from a run's samples.json (to --chart, default docs/soak.svg) */
    render: { type: "string" },
    /** only write the BENCHMARKS.md section again from a run's directory (out/soak-<id>) */
    report: { type: "string" },
    "no-record": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
  allowPositionals: false,
});

const MINUTES = Number(opt.minutes);
const RATE = Number(opt.rate);
const MERCHANTS = Number(opt.merchants);
const TYPOLOGY_SHARE = Number(opt["typology-share"]);
const BAD_EVERY = Number(opt["bad-every"]);
const SEED = Number(opt.seed);
const SPAN_DAYS = Number(opt["span-days"]);
const SAMPLE_MS = Number(opt["sample-seconds"]) * 1000;
const DRAIN_MS = Number(opt["drain-minutes"]) * 60_000;
const RECORD = !opt["no-record"];
const PARTITIONS = 6;
const TICK_MS = 100;
const MAX_SEND = 10_000;
/** memory is "flat" when the late window's mean is within this share of the early window's */
const FLAT_BOUND = 0.1;
/** lag is "bounded" when the total never exceeded this many seconds of the offered rate */
const LAG_BOUND_SECONDS = 10;
for (const [k, v] of Object.entries({ MINUTES, RATE, MERCHANTS, TYPOLOGY_SHARE, BAD_EVERY, SEED, SAMPLE_MS, DRAIN_MS }))
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k.toLowerCase()} must be a number >= 0`);

const say = (msg: string): void => void process.stderr.write(`[soak] ${msg}\n`);
const now = () => performance.now();
const round = (x: number, d = 1) => Number(x.toFixed(d));
const MB = (bytes: number) => bytes / 1048576;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const mmss = (s: number) => `${s < 0 ? "-" : ""}${String(Math.floor(Math.abs(s) / 60)).padStart(2, "0")}:${String(Math.floor(Math.abs(s) % 60)).padStart(2, "0")}`;

// ------------------------------------------------------------------------------------------------ clean-up

const cleanups = new Cleanups((line) => say(line), 90_000);
const defer = (name: string, fn: () => Promise<unknown>): void => cleanups.defer(name, fn);
const cleanup = (): Promise<void> => cleanups.run();
let interrupted = false;
cleanups.onSignals(() => (interrupted = true));

const until = (what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, everyMs = 500): Promise<void> => pollUntil(what, timeoutMs, check, everyMs);

// ------------------------------------------------------------------------------------------------ infrastructure

/** A fresh database on DATABASE_URL's server (a schema when the role may not create databases). */
async function database(id: string): Promise<{ url: string; describe: string }> {
  const base = benchServerUrl();
  const name = `mt_soak_${id}`;
  try {
    await onServer(base, `CREATE DATABASE ${name}`);
  } catch (err) {
    say(`CREATE DATABASE refused (${(err as Error).message}); using a schema ${name} instead`);
    await onServer(base, `CREATE SCHEMA ${name}`);
    if (!opt.keep) defer(`drop schema ${name}`, () => onServer(base, `DROP SCHEMA IF EXISTS ${name} CASCADE`));
    const url = new URL(base);
    url.searchParams.set("options", `-c search_path=${name}`);
    return { url: url.toString(), describe: `PostgreSQL ${url.host}${url.pathname}, schema ${name}${opt.keep ? " (kept)" : ""}` };
  }
  if (!opt.keep) defer(`drop database ${name}`, () => onServer(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), describe: `PostgreSQL ${url.host}, database ${name}${opt.keep ? " (kept)" : ""}` };
}

// ------------------------------------------------------------------------------------------------ samples

interface ProcSample {
  up: boolean;
  error?: string;
  rssMB: number;
  heapMB: number;
  /** NaN until the process's first major GC */
  heapAfterGcMB: number;
  heapTotalMB: number;
  cores: number;
  consumed: number;
  processed: number;
  deadLettered: number;
  alerts: number;
  fenced: number;
  published: number;
  merchants: number;
  /** entries in the URL and domain memos (bounded caches) */
  memoEntries: number;
  checkpointMB: number;
  partitions: number[];
  /** lag of the partitions this process holds (its gauges of partitions it gave up are stale) */
  lag: Record<string, number>;
  hist: [number, number][];
}

interface Tick {
  /** seconds since production started */
  t: number;
  phase: "produce" | "drain";
  produced: number;
  procs: ProcSample[];
  /** sum over partitions of moneytrail_consumer_lag (each from the process holding it) */
  lag: number;
  maxPartitionLag: number;
  /** end offsets now minus the positions stored in mt_partitions (includes the batch in hand) */
  lagDb: number;
  cores: { machine: number; consumers: number[]; broker?: number; postgres: number; soak: number; others: number };
  vitest: number;
}

/**
 * The memory series of each process, in the order of the table and the chart. Only RSS and the heap after major GC
 * are judged for "flat": the heap left by a mark-compact is what the process retains, while the sampled heap used
 * also holds garbage not yet collected, so its level follows when V8 collects (informational).
 */
const MEMORY = [
  { key: "rssMB", field: "rss", label: "RSS", metric: "process_resident_memory_bytes", judged: true, dash: "" },
  { key: "heapAfterGcMB", field: "heapAfterGc", label: "heap after major GC", metric: "moneytrail_heap_after_major_gc_bytes", judged: true, dash: "1.5,2.5" },
  { key: "heapMB", field: "heap", label: "heap used", metric: "nodejs_heap_size_used_bytes", judged: false, dash: "5,3" },
] as const;
type MemoryKey = (typeof MEMORY)[number]["key"];
type MemoryField = (typeof MEMORY)[number]["field"];
const JUDGED = MEMORY.filter((m) => m.judged);

/** Processes running vitest (the other engineers' test runs share this machine). */
function vitestProcesses(): number {
  let n = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("vitest")) n++;
    } catch {
      /* gone */
    }
  }
  return n;
}

class CpuMeter {
  private t = now();
  private machine = machineTicks();
  private consumers: number[];
  private broker: number;
  private pg = postgresTicks();
  private soak = process.cpuUsage();
  constructor(
    private readonly pids: number[],
    private readonly brokerPid?: number,
  ) {
    this.consumers = pids.map(procTicks);
    this.broker = brokerPid ? procTicks(brokerPid) : 0;
  }
  /** cores used since the last call */
  read(): Tick["cores"] {
    const t = now();
    const wall = (t - this.t) / 1000;
    const machine = machineTicks();
    const consumers = this.pids.map(procTicks);
    const broker = this.brokerPid ? procTicks(this.brokerPid) : 0;
    const pgNow = postgresTicks();
    const soak = process.cpuUsage();
    const cores = (ticks: number) => round(ticks / 100 / wall, 3);
    let pgTicks = 0;
    for (const [pid, v] of pgNow) pgTicks += Math.max(0, v - (this.pg.get(pid) ?? 0));
    const allTicks = machine.total - this.machine.total;
    const machineCores = allTicks > 0 ? round(((machine.busy - this.machine.busy) / allTicks) * cpus().length, 3) : 0;
    const consumerCores = consumers.map((v, i) => cores(Math.max(0, v - this.consumers[i]!)));
    const brokerCores = this.brokerPid ? cores(broker - this.broker) : undefined;
    const pgCores = cores(pgTicks);
    const soakCores = round((soak.user - this.soak.user + soak.system - this.soak.system) / 1e6 / wall, 3);
    const ours = consumerCores.reduce((a, b) => a + b, 0) + (brokerCores ?? 0) + pgCores + soakCores;
    Object.assign(this, { t, machine, consumers, broker, pg: pgNow, soak });
    return { machine: machineCores, consumers: consumerCores, broker: brokerCores, postgres: pgCores, soak: soakCores, others: round(Math.max(0, machineCores - ours), 3) };
  }
}

async function sampleProcess(c: Consumer, cores: number): Promise<ProcSample> {
  const empty: ProcSample = {
    up: false,
    rssMB: NaN,
    heapMB: NaN,
    heapAfterGcMB: NaN,
    heapTotalMB: NaN,
    cores,
    consumed: NaN,
    processed: NaN,
    deadLettered: NaN,
    alerts: NaN,
    fenced: NaN,
    published: NaN,
    merchants: NaN,
    memoEntries: NaN,
    checkpointMB: NaN,
    partitions: [],
    lag: {},
    hist: [],
  };
  if (c.exit) return { ...empty, error: `exited (${c.exit.signal ?? `code ${c.exit.code}`})` };
  try {
    const [s, r] = await Promise.all([scrape(c.metricsPort), readiness(c.metricsPort)]);
    const lagAll = byLabel(s, "moneytrail_consumer_lag", "partition");
    const lag: Record<string, number> = {};
    for (const p of r.partitions) lag[String(p)] = lagAll.get(String(p)) ?? 0;
    // 0 or absent means no value yet (the heap after major GC reads 0 until the first one), not an empty heap
    const memory = Object.fromEntries(MEMORY.map((m) => [m.key, total(s, m.metric) > 0 ? round(MB(total(s, m.metric)), 2) : NaN])) as Record<MemoryKey, number>;
    return {
      up: true,
      error: r.ready ? undefined : `not ready: ${r.detail}`,
      ...memory,
      heapTotalMB: round(MB(total(s, "nodejs_heap_size_total_bytes")), 2),
      cores,
      consumed: total(s, "moneytrail_events_consumed_total"),
      processed: total(s, "moneytrail_events_processed_total"),
      deadLettered: total(s, "moneytrail_events_dead_lettered_total"),
      alerts: total(s, "moneytrail_alerts_raised_total"),
      fenced: total(s, "moneytrail_batches_fenced_total"),
      published: total(s, "moneytrail_outbox_published_total"),
      merchants: total(s, "moneytrail_merchants_in_memory"),
      memoEntries: total(s, "moneytrail_memo_entries"),
      checkpointMB: round(MB(total(s, "moneytrail_checkpoint_state_bytes")), 3),
      partitions: r.partitions,
      lag,
      hist: histogram([s], "moneytrail_event_to_alert_seconds"),
    };
  } catch (err) {
    return { ...empty, error: (err as Error).message };
  }
}

// ------------------------------------------------------------------------------------------------ analysis

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Least-squares slope of y over x. */
function slope(pts: [number, number][]): number {
  const n = pts.length;
  if (n < 2) return NaN;
  const mx = mean(pts.map((p) => p[0]));
  const my = mean(pts.map((p) => p[1]));
  let num = 0;
  let den = 0;
  for (const [x, y] of pts) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den ? num / den : NaN;
}

interface Window {
  from: number;
  to: number;
}

interface Windows {
  early: Window;
  late: Window;
  /** minutes 5-15 against the late window, reported but not judged (absent where that is the judged comparison, and in older runs) */
  minutes5to15?: { early: Window; late: Window };
}

/** Why runs of 60 minutes or more are judged on the second half (decided before the first such run; recorded with it). */
const WARM_UP =
  "a soak asks whether memory keeps growing once warm, and minutes 5–15 are still the warm-up, in which bounded structures fill " +
  "(the URL and domain memos, up to 2 × 100k entries each, moneytrail_memo_entries; per-merchant evidence lists, up to 10 entries each, as more merchants become suspect): " +
  "the 40-minute run at 78f06b7 (out/soak-0e3641d3) levelled off around minutes 30–35, its heap after major GC in 5-minute means from minute 15 " +
  "148, 152, 156, 161, 161 MB (process A) and 147, 156, 161, 160, 160 MB (B), and failed the bound against minutes 5–15 (+16% to +18%)";

/**
 * The judged windows: an early window against the last 10 minutes of production; for runs of 60 minutes or more the
 * early window is the 10 minutes after the first half (see WARM_UP), shorter runs keep minutes 5-15 (under 25
 * minutes: a fifth to a half against the last 30%).
 */
function windows(minutes: number): Windows {
  const late = { from: minutes - 10, to: minutes };
  const minutes5to15 = { early: { from: 5, to: 15 }, late };
  // the comparison judged before is kept in the record, so that nothing is hidden
  if (minutes >= 60) return { early: { from: minutes / 2, to: minutes / 2 + 10 }, late, minutes5to15 };
  if (minutes >= 25) return minutes5to15;
  return { early: { from: minutes / 5, to: minutes / 2 }, late: { from: minutes * 0.7, to: minutes } };
}

const wl = (x: Window) => `${round(x.from, 1)}–${round(x.to, 1)}`;
type Comparison = ReturnType<typeof compare>;
type MemorySummary = ReturnType<typeof memorySummary>;
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
/** late minus early window, MB and share */
const growth = (c: Comparison) => `${signed(c.growth)} (${(c.growthShare * 100).toFixed(1)}%)`;
type ProcessMemory = { process: string } & Record<MemoryField, MemorySummary>;
/**
 * Flat: in each process, every judged series within the bound, by the judged comparison or by another (pick). A
 * series without a value in either window (NaN, or no comparison) fails: not judged is not flat.
 */
const flatBy = (memory: ProcessMemory[], pick: (s: MemorySummary) => Comparison | undefined = (s) => s): boolean =>
  memory.every((p) => JUDGED.every((m) => Math.abs(pick(p[m.field])?.growthShare ?? NaN) <= FLAT_BOUND));

/** Means of (minute, MB) points in the early and late windows, and the growth from one to the other. */
function compare(pts: [number, number][], w: { early: Window; late: Window }) {
  const inW = (x: Window) => mean(pts.filter(([m]) => m >= x.from && m <= x.to).map(([, y]) => y));
  const early = inW(w.early);
  const late = inW(w.late);
  return { early: round(early, 1), late: round(late, 1), growth: round(late - early, 1), growthShare: round((late - early) / early, 3) };
}

function memorySummary(ticks: Tick[], i: number, key: MemoryKey, w: Windows, minutes: number) {
  const pts = ticks.filter((t) => t.procs[i]?.up && Number.isFinite(t.procs[i]![key])).map((t) => [t.t / 60, t.procs[i]![key]] as [number, number]);
  const prod = pts.filter(([m]) => m <= minutes + 1e-9);
  const peak = pts.reduce((a, [m, y]) => (y > a.y ? { m, y } : a), { m: NaN, y: -Infinity });
  return {
    start: pts[0]?.[1] ?? NaN,
    peak: peak.y,
    peakMinute: round(peak.m, 1),
    end: prod[prod.length - 1]?.[1] ?? NaN,
    ...compare(prod, w),
    /** MB per hour, least squares from the start of the early window (the second half, for runs of 60 minutes or more) */
    slopeMBPerHour: round(slope(prod.filter(([m]) => m >= w.early.from)) * 60, 1),
    minutes5to15: w.minutes5to15 && compare(prod, w.minutes5to15),
  };
}

// ------------------------------------------------------------------------------------------------ chart

/** Memory (the MEMORY series of each process) and lag over time, as a standalone SVG. */
function chart(ticks: Tick[], o: { title: string; subtitle: string; minutes: number; w: Windows; names: string[] }): string {
  const colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
  const bands: Band[] = [o.w.early, o.w.late].map((w) => ({ from: w.from, to: w.to, label: `minutes ${round(w.from, 1)}-${round(w.to, 1)}`, opacity: 0.04 }));
  if (o.w.minutes5to15) {
    const w = o.w.minutes5to15.early;
    bands.push({ from: w.from, to: w.to, label: `minutes ${round(w.from, 1)}-${round(w.to, 1)} (not judged)`, opacity: 0.02 });
  }
  const memory: Series[] = o.names.flatMap((name, i) =>
    MEMORY.map((m) => ({ label: `${name} ${m.label}`, colour: colours[i % colours.length]!, dash: m.dash, points: ticks.map((t): [number, number] => [t.t / 60, t.procs[i]?.[m.key] ?? NaN]) })),
  );
  const lag: Series[] = [
    { label: "lag (end offsets - stored positions)", colour: "#999", dash: "4,3", points: ticks.map((t) => [t.t / 60, t.lagDb]) },
    { label: "lag (sum of moneytrail_consumer_lag)", colour: "#ff7f0e", points: ticks.map((t) => [t.t / 60, t.lag]) },
  ];
  return lineChart({
    title: o.title,
    subtitle: o.subtitle,
    xLabel: "minutes since production started (dotted line: production stopped)",
    xMax: Math.max(o.minutes, ...ticks.map((t) => t.t / 60)),
    marker: o.minutes,
    panels: [
      { label: "memory, MB", height: 250, series: memory, bands },
      { label: "consumer lag, events", height: 180, series: lag, minTop: 10 },
    ],
  });
}

// ------------------------------------------------------------------------------------------------ main

type Check = { check: string; left: string; right: string; holds: boolean | null };

async function main(): Promise<number> {
  const id = randomBytes(4).toString("hex");
  const outDir = join(PACKAGE_ROOT, "out", `soak-${id}`);
  mkdirSync(join(outDir, "indicators"), { recursive: true });
  writeFileSync(join(outDir, "indicators", "population.json"), `${JSON.stringify(populationIndicators(SEED))}\n`);
  const argv = process.argv.slice(2);
  const command = `npm run soak${argv.length ? ` -- ${argv.join(" ")}` : ""}`;
  const durationMs = MINUTES * 60_000;
  const events = Math.ceil((RATE * durationMs) / 1000);
  say(`${command}: ${MINUTES} min at ${RATE} ev/s (${fmt(events)} events over ${fmt(MERCHANTS)} merchants), output in ${relative(PACKAGE_ROOT, outDir)}`);

  const b = await benchBroker(say, cleanups, 20_000);
  const db = await database(id);
  say(`${b.describe}; ${db.describe}`);
  const kafka = new Kafka({
    brokers: b.brokers.split(","),
    clientId: `mt-soak-${id}`,
    logLevel: logLevel.ERROR,
    logCreator: () => (e) => say(`kafkajs ${e.namespace}: ${e.log.message}`),
  });
  const admin: Admin = kafka.admin();
  await admin.connect();
  defer("disconnect the admin", () => admin.disconnect());
  const base = `mt-soak-${id}`;
  const topics = { events: `${base}.events`, alerts: `${base}.alerts`, dead: `${base}.dead-letter` };
  await ensureTopics(admin, Object.values(topics).map((topic) => ({ topic, partitions: PARTITIONS })));
  if (b.external) {
    defer("delete the soak's topics", () => admin.deleteTopics({ topics: Object.values(topics) }));
    defer("delete the soak's consumer groups", async () => {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(base));
      if (groups.length) await admin.deleteGroups(groups);
    });
  }
  const group = `${base}`;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  defer("close the soak's PostgreSQL pool", () => pool.end());

  // ---- the alerts and dead-letter reader (read_committed), joined before anything is produced
  const alertIds = new Map<string, number>();
  let alertMessages = 0;
  const deadByKind = new Map<string, number>();
  let deadMessages = 0;
  let lastReadAt = now();
  const endToEnd: number[] = [];
  const tickIndex: number[] = [];
  const tickAt: number[] = [];
  const sentAtOf = (eventId: string): number | undefined => {
    const i = Number(eventId.slice(2)) - 1;
    if (!eventId.startsWith("e-") || !Number.isInteger(i)) return undefined;
    let lo = 0;
    let hi = tickIndex.length - 1;
    if (hi < 0 || i < tickIndex[0]!) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (tickIndex[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return tickAt[lo];
  };
  const reader = kafka.consumer({ groupId: `${base}-reader`, maxWaitTimeInMs: 100 });
  await reader.connect();
  defer("disconnect the reader", () => reader.disconnect());
  await reader.subscribe({ topics: [topics.alerts, topics.dead], fromBeginning: true });
  await reader.run({
    eachBatch: async ({ batch }) => {
      const at = now();
      lastReadAt = at;
      for (const m of batch.messages) {
        if (batch.topic === topics.alerts) {
          alertMessages++;
          const alert = JSON.parse(m.value!.toString()) as { alertId: string };
          alertIds.set(alert.alertId, (alertIds.get(alert.alertId) ?? 0) + 1);
          const sent = sentAtOf(m.headers?.["mt-event-id"]?.toString() ?? "");
          if (sent !== undefined) endToEnd.push(at - sent);
        } else {
          deadMessages++;
          const kind = m.headers?.["mt-reason-kind"]?.toString() ?? "?";
          deadByKind.set(kind, (deadByKind.get(kind) ?? 0) + 1);
        }
      }
    },
  });

  // ---- two `moneytrail run` processes in one group
  const env = {
    KAFKA_BROKERS: b.brokers,
    DATABASE_URL: db.url,
    MT_GROUP_ID: group,
    MT_EVENTS_TOPIC: topics.events,
    MT_ALERTS_TOPIC: topics.alerts,
    MT_DEAD_LETTER_TOPIC: topics.dead,
    MT_INDICATORS: join(outDir, "indicators"),
    KAFKA_CLIENT_ID: `mt-soak-${id}`,
    // the soak runs SPAN_DAYS of event time (from 2026-03-01) through its minutes, so event time may run up to the
    // span ahead of the messages' wall-clock timestamps by design, not as a producer's bad clock would
    MT_MAX_AHEAD_MS: String(SPAN_DAYS * 86_400_000),
  };
  const names = ["A", "B"];
  const procs: Consumer[] = [];
  const stopped = new Set<Consumer>();
  defer("stop the consumers", async () => {
    for (const c of procs) if (!stopped.has(c)) say(`consumer ${c.name}: ${(await stopConsumer(c, 30_000)).how}`);
  });
  const tStart = now();
  for (const name of names) {
    const c = await spawnConsumer(name, env, join(outDir, `consumer-${name}.log`));
    procs.push(c);
    say(`consumer ${name}: pid ${c.pid}, /metrics on 127.0.0.1:${c.metricsPort}, log ${relative(PACKAGE_ROOT, c.logFile)}`);
    await until(`consumer ${name} ready`, 120_000, async () => {
      if (c.exit) throw new Error(`consumer ${name} exited during start (${c.exit.signal ?? `code ${c.exit.code}`}); see ${c.logFile}`);
      return (await readiness(c.metricsPort).catch(() => ({ ready: false, partitions: [] }))).ready;
    });
  }
  let assignment: number[][] = [];
  await until("both consumers holding partitions", 120_000, async () => {
    assignment = await Promise.all(procs.map(async (c) => (await readiness(c.metricsPort).catch(() => ({ partitions: [] as number[] }))).partitions));
    const all = assignment.flat().sort((x, y) => x - y);
    return assignment.every((a) => a.length > 0) && all.length === PARTITIONS && all.every((p, i) => p === i);
  });
  say(`both consumers in the group after ${((now() - tStart) / 1000).toFixed(1)} s: ${procs.map((c, i) => `${c.name} holds ${assignment[i]!.join(",")}`).join("; ")}`);

  // ---- the sampler
  const ticks: Tick[] = [];
  const cpu = new CpuMeter(procs.map((c) => c.pid), b.pid);
  let produced = 0;
  let phase: Tick["phase"] = "produce";
  let t0 = now();
  let endsAtStop: Map<number, bigint> | undefined;
  const dbLag = async (): Promise<number> => {
    const ends = await admin.fetchTopicOffsets(topics.events);
    const { rows } = await pool
      .query<{ partition: number; next_offset: string | null }>("SELECT partition, next_offset FROM mt_partitions WHERE group_id = $1 AND topic = $2", [group, topics.events])
      .catch(() => ({ rows: [] as { partition: number; next_offset: string | null }[] }));
    const at = new Map(rows.map((r) => [r.partition, Number(r.next_offset ?? 0)]));
    return ends.reduce((n, e) => n + Math.max(0, Number(e.high) - (at.get(e.partition) ?? 0)), 0);
  };
  const takeSample = async (): Promise<Tick> => {
    const cores = cpu.read();
    const samples = await Promise.all(procs.map((c, i) => sampleProcess(c, cores.consumers[i] ?? NaN)));
    const partLag = samples.flatMap((s) => Object.values(s.lag));
    const tick: Tick = {
      t: round((now() - t0) / 1000, 1),
      phase,
      produced,
      procs: samples,
      lag: partLag.reduce((a, b) => a + b, 0),
      maxPartitionLag: Math.max(0, ...partLag),
      lagDb: await dbLag().catch(() => NaN),
      cores,
      vitest: vitestProcesses(),
    };
    ticks.push(tick);
    const consumed = samples.reduce((a, s) => a + (s.consumed || 0), 0);
    const alerts = samples.reduce((a, s) => a + (s.alerts || 0), 0);
    say(
      `${mmss(tick.t)} / ${mmss(MINUTES * 60)} ${phase} produced ${fmt(produced)} consumed ${fmt(consumed)} alerts ${fmt(alerts)} lag ${fmt(tick.lag)} (stored ${fmt(tick.lagDb)}) | ` +
        samples.map((s, i) => `${names[i]} ${s.up ? `rss ${s.rssMB.toFixed(0)} heap ${s.heapMB.toFixed(0)} after GC ${s.heapAfterGcMB.toFixed(0)} MB, ${fmt(s.merchants)} merchants, ${fmt(s.memoEntries)} memo entries, ${s.cores.toFixed(2)} cores` : `DOWN (${s.error})`}`).join(" | ") +
        ` | broker ${cores.broker ?? "-"} pg ${cores.postgres} others ${cores.others} cores${tick.vitest ? `, ${tick.vitest} vitest processes` : ""}` +
        (samples.some((s) => s.up && s.error) ? ` | ${samples.map((s, i) => (s.error ? `${names[i]}: ${s.error}` : "")).filter(Boolean).join("; ")}` : ""),
    );
    return tick;
  };
  let sampling = true;
  let sampler: Promise<void> = Promise.resolve();
  const startSampler = () => {
    sampler = (async () => {
      let next = now() + SAMPLE_MS;
      while (sampling) {
        await sleep(Math.max(0, next - now()));
        if (!sampling) break;
        next += SAMPLE_MS;
        await takeSample().catch((err: Error) => say(`sample failed: ${err.message}`));
      }
    })();
  };

  // ---- the paced producer
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  defer("disconnect the producer", () => producer.disconnect());
  const gen = generatePopulation({ seed: SEED, events, merchants: MERCHANTS, typologyShare: TYPOLOGY_SHARE, spanDays: SPAN_DAYS });
  let generated = 0;
  let bad = 0;
  const badKinds = ["not-json", "schema", "too-large"] as const;
  const badMessage = (n: number): { key: string; value: string } => {
    const kind = badKinds[n % badKinds.length]!;
    const key = `soak-bad-${n}`;
    if (kind === "not-json") return { key, value: `{"type":"transaction","eventId":"bad-${n}",` };
    if (kind === "schema") return { key, value: JSON.stringify({ type: "transaction", eventId: `bad-${n}`, merchantId: key }) };
    return { key, value: JSON.stringify({ type: "site_observation", eventId: `bad-${n}`, merchantId: key, padding: "x".repeat(70_000) }) };
  };
  let maxSendMs = 0;
  let behindMax = 0;
  say(`producing ${RATE} ev/s for ${MINUTES} min (sends every ${TICK_MS} ms, idempotent producer, acks=all)...`);
  t0 = now();
  startSampler();
  let genDone = false;
  while (!interrupted) {
    const elapsed = now() - t0;
    if (elapsed >= durationMs || genDone) break;
    const due = Math.min(events, Math.round((RATE * (elapsed + TICK_MS)) / 1000));
    behindMax = Math.max(behindMax, due - generated);
    if (due > generated) {
      const messages: { key: string; value: string }[] = [];
      const first = generated;
      while (generated < due && messages.length < MAX_SEND) {
        const r = gen.next();
        if (r.done) {
          genDone = true;
          break;
        }
        messages.push({ key: r.value.merchantId, value: JSON.stringify(r.value) });
        generated++;
        if (BAD_EVERY > 0 && generated % BAD_EVERY === 0) messages.push(badMessage(bad++));
      }
      const at = now();
      tickIndex.push(first);
      tickAt.push(at);
      await producer.send({ topic: topics.events, messages, acks: -1, compression: CompressionTypes.None });
      maxSendMs = Math.max(maxSendMs, now() - at);
      produced += messages.length;
    }
    const wait = TICK_MS - ((now() - t0) % TICK_MS);
    await sleep(wait);
  }
  const producedMs = now() - t0;
  await producer.disconnect();
  const producedMinutes = producedMs / 60_000;
  endsAtStop = new Map((await admin.fetchTopicOffsets(topics.events)).map((p) => [p.partition, BigInt(p.high)]));
  const onTopic = Number([...endsAtStop.values()].reduce((a, b2) => a + b2, 0n));
  say(`production stopped after ${(producedMs / 1000).toFixed(0)} s: ${fmt(produced)} messages (${fmt(generated)} events + ${fmt(bad)} malformed), ${fmt(onTopic)} on the topic; draining...`);

  // ---- drain: stored positions at the end offsets, outbox empty, every held partition's lag gauge at 0
  phase = "drain";
  const drainStart = now();
  let drained = false;
  try {
    await until("the consumers' drain", DRAIN_MS, async () => {
      if (procs.some((c) => c.exit)) throw new Error(`a consumer exited: ${procs.filter((c) => c.exit).map((c) => `${c.name} ${c.exit!.signal ?? `code ${c.exit!.code}`}`).join(", ")}`);
      const { rows } = await pool.query<{ partition: number; next_offset: string | null }>(
        "SELECT partition, next_offset FROM mt_partitions WHERE group_id = $1 AND topic = $2",
        [group, topics.events],
      );
      const at = new Map(rows.map((r) => [r.partition, r.next_offset === null ? -1n : BigInt(r.next_offset)]));
      if (![...endsAtStop!].every(([p, high]) => high === 0n || (at.get(p) ?? -1n) >= high)) return false;
      const outbox = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox WHERE group_id = $1", [group])).rows[0]!.n);
      if (outbox > 0) return false;
      const samples = await Promise.all(procs.map((c) => sampleProcess(c, NaN)));
      return samples.every((s) => s.up && Object.values(s.lag).every((l) => l === 0));
    });
    drained = true;
  } catch (err) {
    say(`${(err as Error).message}`);
  }
  const drainMs = now() - drainStart;
  sampling = false;
  await sampler;
  const finalTick = await takeSample();
  say(drained ? `drained in ${(drainMs / 1000).toFixed(1)} s: lag 0, outbox empty` : `NOT drained after ${(drainMs / 1000).toFixed(0)} s`);

  // ---- final counters, then SIGTERM
  const finalScrapes: Scrape[] = [];
  for (const c of procs) finalScrapes.push(await scrape(c.metricsPort).catch(() => new Map()));
  const stops: { how: string; ms: number; code: number | null }[] = [];
  for (const c of procs) {
    stops.push(await stopConsumer(c, 60_000));
    stopped.add(c);
  }
  say(`stopped with SIGTERM: ${procs.map((c, i) => `${c.name} ${stops[i]!.how} in ${stops[i]!.ms} ms`).join("; ")}`);

  // ---- reconcile
  const sum = (name: string) => finalScrapes.reduce((a, s) => a + total(s, name), 0);
  const consumed = sum("moneytrail_events_consumed_total");
  const processedN = sum("moneytrail_events_processed_total");
  const deadLettered = sum("moneytrail_events_dead_lettered_total");
  const alertsRaised = sum("moneytrail_alerts_raised_total");
  const fenced = sum("moneytrail_batches_fenced_total");
  const q = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
  const dbAlerts = await q("SELECT count(*) AS n FROM mt_alerts");
  await until("the reader (alerts and dead letters read back)", 90_000, () => (alertIds.size >= dbAlerts && deadMessages >= deadLettered && now() - lastReadAt > 3000) || now() - lastReadAt > 20_000, 250).catch(
    (err: Error) => say(err.message),
  );
  const alertedMerchants = await q("SELECT count(DISTINCT merchant_id) AS n FROM mt_alerts");
  const openCases = await q("SELECT count(*) AS n FROM mt_cases WHERE status = 'open'");
  const openCaseMerchants = await q("SELECT count(DISTINCT merchant_id) AS n FROM mt_cases WHERE status = 'open'");
  const alertedWithOneOpenCase = await q(
    "SELECT count(*) AS n FROM (SELECT a.merchant_id FROM (SELECT DISTINCT merchant_id FROM mt_alerts) a JOIN mt_cases c ON c.merchant_id = a.merchant_id AND c.status = 'open' GROUP BY a.merchant_id HAVING count(*) = 1) x",
  );
  const alertsWithoutCase = await q("SELECT count(*) AS n FROM mt_alerts a WHERE NOT EXISTS (SELECT 1 FROM mt_case_alerts ca WHERE ca.alert_id = a.alert_id)");
  const outboxLeft = await q("SELECT count(*) AS n FROM mt_outbox");
  const stateRow = (
    await pool.query<{ n: string; bytes: string | null }>("SELECT count(*) AS n, sum(octet_length(state::text) + coalesce(octet_length(profile::text), 0)) AS bytes FROM mt_merchant_state WHERE group_id = $1", [group])
  ).rows[0]!;
  /** merchant state as checkpointed at the stop (JSON) */
  const state = { merchants: Number(stateRow.n), bytesPerMerchant: Number(stateRow.n) ? Math.round(Number(stateRow.bytes) / Number(stateRow.n)) : NaN };
  const doubled = [...alertIds.values()].filter((n) => n > 1).length;
  const checks: Check[] = [
    { check: "produced (acknowledged) = messages on the events topic (end offsets)", left: fmt(produced), right: fmt(onTopic), holds: produced === onTopic },
    { check: "consumed (A + B) = produced", left: fmt(consumed), right: fmt(produced), holds: consumed === produced },
    { check: "consumed = processed + dead-lettered", left: fmt(consumed), right: `${fmt(processedN)} + ${fmt(deadLettered)}`, holds: consumed === processedN + deadLettered },
    { check: "processed = valid events produced", left: fmt(processedN), right: fmt(generated), holds: processedN === generated },
    {
      check: "dead-lettered = malformed produced = messages on the dead-letter topic",
      left: fmt(deadLettered),
      right: `${fmt(bad)} = ${fmt(deadMessages)} (${[...deadByKind].map(([k, n]) => `${k} ${fmt(n)}`).join(", ") || "none"})`,
      holds: deadLettered === bad && deadMessages === bad,
    },
    { check: "alerts on the alerts topic (distinct ids) = rows in mt_alerts = alerts_raised_total (A + B)", left: fmt(alertIds.size), right: `${fmt(dbAlerts)} = ${fmt(alertsRaised)}`, holds: alertIds.size === dbAlerts && dbAlerts === alertsRaised },
    { check: "alerts on the topic more than once", left: `${fmt(doubled)} ids (${fmt(alertMessages)} messages)`, right: "0", holds: doubled === 0 && alertMessages === alertIds.size },
    { check: "one open case per alerted merchant", left: `${fmt(openCases)} open cases on ${fmt(openCaseMerchants)} merchants; ${fmt(alertedWithOneOpenCase)} alerted merchants with exactly one`, right: `${fmt(alertedMerchants)} alerted merchants`, holds: openCases === alertedMerchants && openCaseMerchants === alertedMerchants && alertedWithOneOpenCase === alertedMerchants },
    { check: "alerts not attached to a case", left: fmt(alertsWithoutCase), right: "0", holds: alertsWithoutCase === 0 },
    { check: "outbox rows left", left: fmt(outboxLeft), right: "0", holds: outboxLeft === 0 },
    { check: "consumers stopped cleanly on SIGTERM", left: stops.map((s, i) => `${names[i]} ${s.how} (${(s.ms / 1000).toFixed(1)} s)`).join(", "), right: "exit code 0", holds: stops.every((s) => s.code === 0) },
    { check: "batches fenced (informational: a fenced chunk is counted as consumed twice)", left: fmt(fenced), right: "-", holds: null },
  ];
  const reconciled = drained && checks.every((c) => c.holds !== false);
  for (const c of checks) say(`${c.holds === null ? "INFO" : c.holds ? "ok  " : "FAIL"} ${c.check}: ${c.left} vs ${c.right}`);

  // ---- memory, lag, latency
  const w = windows(MINUTES);
  const memory: ProcessMemory[] = procs.map((c, i) => ({
    process: c.name,
    ...(Object.fromEntries(MEMORY.map((m) => [m.field, memorySummary(ticks, i, m.key, w, producedMinutes)])) as Record<MemoryField, MemorySummary>),
  }));
  const flat = flatBy(memory);
  const flat5to15 = w.minutes5to15 ? flatBy(memory, (s) => s.minutes5to15) : undefined;
  const sumAt = (win: Window, key: "merchants" | "memoEntries") =>
    round(mean(ticks.filter((t) => t.t / 60 >= win.from && t.t / 60 <= win.to).map((t) => t.procs.reduce((a, s) => a + (s[key] || 0), 0))), 0);
  const merchantsAt = (win: Window) => sumAt(win, "merchants");
  const prodTicks = ticks.filter((t) => t.phase === "produce");
  const maxLagTick = prodTicks.reduce<Tick | undefined>((a, t) => (!a || t.lag > a.lag ? t : a), undefined);
  const maxLag = maxLagTick?.lag ?? NaN;
  const lateLagMax = Math.max(0, ...prodTicks.filter((t) => t.t / 60 >= w.late.from).map((t) => t.lag));
  const maxLagDb = Math.max(0, ...prodTicks.map((t) => t.lagDb).filter(Number.isFinite));
  const maxPartitionLag = Math.max(0, ...prodTicks.map((t) => t.maxPartitionLag));
  const bounded = maxLag <= RATE * LAG_BOUND_SECONDS;
  const histAll = histogram(finalScrapes, "moneytrail_event_to_alert_seconds");
  const lateStart = ticks.filter((t) => t.t / 60 <= w.late.from).pop();
  const histLate = lateStart ? histogramSince(histAll, sumHistograms(lateStart.procs.map((s) => s.hist))) : histAll;
  const ms = (s: number) => round(s * 1000, 0);
  const latency = {
    alerts: histAll[histAll.length - 1]?.[1] ?? 0,
    p50Ms: ms(histogramQuantile(0.5, histAll)),
    p99Ms: ms(histogramQuantile(0.99, histAll)),
    lateAlerts: histLate[histLate.length - 1]?.[1] ?? 0,
    lateP50Ms: ms(histogramQuantile(0.5, histLate)),
    lateP99Ms: ms(histogramQuantile(0.99, histLate)),
  };
  endToEnd.sort((a, b2) => a - b2);
  const pct = (p: number) => (endToEnd.length ? round(endToEnd[Math.min(endToEnd.length - 1, Math.floor(p * endToEnd.length))]!, 0) : NaN);
  const e2e = { alerts: endToEnd.length, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: round(endToEnd[endToEnd.length - 1] ?? NaN, 0) };

  // CPU and the machine's other load
  const meanOf = (f: (t: Tick) => number | undefined) => round(mean(prodTicks.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x))), 2);
  const load = {
    consumers: procs.map((_, i) => meanOf((t) => t.cores.consumers[i])),
    broker: b.pid ? meanOf((t) => t.cores.broker) : undefined,
    postgres: meanOf((t) => t.cores.postgres),
    soak: meanOf((t) => t.cores.soak),
    others: meanOf((t) => t.cores.others),
    othersMax: round(Math.max(0, ...prodTicks.map((t) => t.cores.others)), 2),
    machine: meanOf((t) => t.cores.machine),
    machineMax: round(Math.max(0, ...prodTicks.map((t) => t.cores.machine)), 2),
    vitestSamples: prodTicks.filter((t) => t.vitest > 0).length,
    samples: prodTicks.length,
  };

  // ---- outputs
  const chartOptions = {
    title: `moneytrail soak: two consumer processes, ${round(producedMinutes, 1)} min at ${fmt(RATE)} events/s`,
    subtitle: `${fmt(generated)} events over ${fmt(MERCHANTS)} merchants, ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; shaded: compared windows${w.minutes5to15 ? " (lighter: minutes 5-15, not judged)" : ""}`,
    minutes: producedMinutes,
    w,
    names: procs.map((c) => `process ${c.name}`),
  };
  writeFileSync(join(outDir, "samples.json"), `${JSON.stringify({ command, chart: chartOptions, ticks }, null, 1)}\n`);
  const chartFile = opt.chart ? join(PACKAGE_ROOT, opt.chart) : RECORD ? join(PACKAGE_ROOT, "docs", "soak.svg") : join(outDir, "soak.svg");
  const svg = chart(ticks, chartOptions);
  writeFileSync(join(outDir, "soak.svg"), svg);
  if (chartFile !== join(outDir, "soak.svg")) {
    mkdirSync(dirname(chartFile), { recursive: true });
    copyFileSync(join(outDir, "soak.svg"), chartFile);
  }
  const achieved = Math.round((generated * 1000) / producedMs);
  const result = {
    bench: "soak",
    command,
    minutes: round(producedMinutes, 2),
    rate: RATE,
    achievedRate: achieved,
    maxBehindEvents: behindMax,
    maxSendMs: Math.round(maxSendMs),
    events: generated,
    malformed: bad,
    merchants: MERCHANTS,
    typologyShare: TYPOLOGY_SHARE,
    processes: procs.length,
    assignment,
    memory,
    memoryFlat: flat,
    /** by minutes 5-15 against the late window: reported, not judged (absent where that is the judged comparison) */
    memoryFlat5to15: flat5to15,
    flatBound: FLAT_BOUND,
    flatJudgedOn: JUDGED.map((m) => m.label),
    merchantsInMemory: { early: merchantsAt(w.early), late: merchantsAt(w.late), end: finalTick.procs.reduce((a, s) => a + (s.merchants || 0), 0) },
    // three memos per process (indicator URL matches, URL hosts, registrable domains), two generations each
    memoEntries: { early: sumAt(w.early, "memoEntries"), late: sumAt(w.late, "memoEntries"), bound: 2 * 3 * MEMO_CAP * procs.length },
    lag: { max: maxLag, maxAtMinute: maxLagTick ? round(maxLagTick.t / 60, 1) : NaN, maxPartition: maxPartitionLag, lateMax: lateLagMax, maxStored: maxLagDb, drainSeconds: round(drainMs / 1000, 1), bounded, boundEvents: RATE * LAG_BOUND_SECONDS },
    latency,
    endToEnd: e2e,
    checks,
    reconciled,
    drained,
    stops,
    load,
    windows: w,
    chart: relative(PACKAGE_ROOT, chartFile),
    samplesFile: relative(PACKAGE_ROOT, join(outDir, "samples.json")),
    broker: b.describe,
    node: process.version,
    seed: SEED,
    badEvery: BAD_EVERY,
    sampleSeconds: SAMPLE_MS / 1000,
    tickMs: TICK_MS,
    alertRows: dbAlerts,
    alertedMerchants,
    heapPerMerchantKB: heapPerMerchant(ticks, w, "heapMB"),
    heapAfterGcPerMerchantKB: heapPerMerchant(ticks, w, "heapAfterGcMB"),
    spanDays: SPAN_DAYS,
    state,
  };
  writeFileSync(join(outDir, "result.json"), `${JSON.stringify(result, null, 1)}\n`);

  if (RECORD) {
    writeRecord(result, ticks);
    say(`recorded in BENCHMARKS.md (section soak); chart ${relative(PACKAGE_ROOT, chartFile)}`);
  } else say(`chart ${relative(PACKAGE_ROOT, chartFile)}; not recorded (--no-record)`);
  say(
    `memory ${flat ? "flat" : "NOT flat"} by minutes ${wl(w.late)} against ${wl(w.early)} (growth in MB: ${memory.map((p) => `${p.process}: ${MEMORY.map((m) => `${m.label}${m.judged ? "" : " (not judged)"} ${growth(p[m.field])}`).join(", ")}`).join("; ")}); ` +
      (w.minutes5to15
        ? `against minutes ${wl(w.minutes5to15.early)} (not judged) ${flat5to15 ? "flat" : "NOT flat"} (${memory.map((p) => `${p.process}: ${JUDGED.map((m) => `${m.label} ${growth(p[m.field].minutes5to15!)}`).join(", ")}`).join("; ")}); `
        : "") +
      `heap after major GC slope from minute ${round(w.early.from, 1)}: ${memory.map((p) => `${p.process} ${signed(p.heapAfterGc.slopeMBPerHour)}`).join(", ")} MB/hour; ` +
      `lag ${bounded ? "bounded" : "NOT bounded"} (max ${fmt(maxLag)}); event-to-alert p50 ${latency.p50Ms} ms p99 ${latency.p99Ms} ms; reconciliation ${reconciled ? "holds" : "FAILS"}`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return reconciled ? 0 : 1;
}

/** What a run saved in result.json (older runs lack the fields marked optional). */
interface Recorded {
  command: string;
  minutes: number;
  rate: number;
  achievedRate: number;
  events: number;
  malformed: number;
  merchants: number;
  typologyShare: number;
  assignment: number[][];
  memory: ({ process: string } & Record<Exclude<MemoryField, "heapAfterGc">, MemorySummary> & { heapAfterGc?: MemorySummary })[];
  memoryFlat: boolean;
  memoryFlat5to15?: boolean;
  flatBound: number;
  /** older runs judged RSS and heap used */
  flatJudgedOn?: string[];
  merchantsInMemory: { early: number; late: number; end: number };
  /** entries in the URL and domain memos, both processes (runs before 2026-11-23T19:10Z lack it) */
  memoEntries?: { early: number; late: number; bound: number };
  lag: { max: number; maxAtMinute: number; maxPartition: number; lateMax: number; maxStored: number; drainSeconds: number; bounded: boolean; boundEvents: number };
  latency: { alerts: number; p50Ms: number; p99Ms: number; lateAlerts: number; lateP50Ms: number; lateP99Ms: number };
  endToEnd: { alerts: number; p50Ms: number; p99Ms: number; maxMs: number };
  checks: Check[];
  reconciled: boolean;
  load: { consumers: number[]; broker?: number; postgres: number; soak: number; others: number; othersMax: number; machine: number; machineMax: number; vitestSamples: number; samples: number };
  windows: Windows;
  chart: string;
  samplesFile: string;
  broker: string;
  seed?: number;
  badEvery?: number;
  sampleSeconds?: number;
  tickMs?: number;
  alertRows?: number;
  alertedMerchants?: number;
  heapPerMerchantKB?: { early: number; late: number };
  heapAfterGcPerMerchantKB?: { early: number; late: number };
  spanDays?: number;
  state?: { merchants: number; bytesPerMerchant: number };
}

/** Mean heap (used, or after major GC) per merchant in memory (both processes), KB, in the two compared windows. */
function heapPerMerchant(ticks: Tick[], w: { early: Window; late: Window }, key: "heapMB" | "heapAfterGcMB"): { early: number; late: number } {
  const at = (win: Window) =>
    mean(
      ticks
        .filter((t) => t.phase === "produce" && t.t / 60 >= win.from && t.t / 60 <= win.to && t.procs.every((p) => p.up && Number.isFinite(p[key])))
        .map((t) => (t.procs.reduce((a, p) => a + p[key], 0) * 1024) / Math.max(1, t.procs.reduce((a, p) => a + p.merchants, 0))),
    );
  return { early: round(at(w.early), 2), late: round(at(w.late), 2) };
}

/** The BENCHMARKS.md section of a run. */
function writeRecord(r: Recorded, ticks: Tick[]): void {
  const names = r.memory.map((m) => m.process);
  const w = r.windows;
  const num = (text: string | undefined) => Number((text ?? "").replace(/,/g, "").match(/\d+/)?.[0] ?? NaN);
  const alertRows = r.alertRows ?? num(r.checks.find((c) => c.check.startsWith("alerts on the alerts topic"))?.right);
  const alertedMerchants = r.alertedMerchants ?? num(r.checks.find((c) => c.check.startsWith("one open case"))?.right);
  const perMerchant = r.heapPerMerchantKB ?? heapPerMerchant(ticks, w, "heapMB");
  const retainedPerMerchant = r.heapAfterGcPerMerchantKB ?? heapPerMerchant(ticks, w, "heapAfterGcMB");
  // older runs have no heap after GC, judged heap used, and did not record the span
  const shown = MEMORY.filter((m) => r.memory.every((p) => p[m.field]));
  const judgedOn = r.flatJudgedOn ?? ["RSS", "heap used"];
  const spanDays = r.spanDays ?? Number(r.command.match(/--span-days[= ](\d+)/)?.[1] ?? 61);
  // runs of 60 minutes or more: the comparison with minutes 5-15 in columns of its own, not judged
  const w5 = w.minutes5to15;
  const also = (m: MemorySummary) => (w5 ? (m.minutes5to15 ? [m.minutes5to15.early.toFixed(0), growth(m.minutes5to15)] : ["-", "-"]) : []);
  const memRow = (name: string, m: MemorySummary) =>
    `| ${[name, m.start.toFixed(0), `${m.peak.toFixed(0)} (min ${m.peakMinute})`, m.end.toFixed(0), m.early.toFixed(0), m.late.toFixed(0), growth(m), ...also(m), signed(m.slopeMBPerHour)].join(" | ")} |`;
  const heapAfterGcSlopes = r.memory.map((p) => `${p.process} ${p.heapAfterGc ? signed(p.heapAfterGc.slopeMBPerHour) : "-"}`).join(", ");
  const kb = (label: string, x: { early: number; late: number }) => `${label} ${x.early} KB in minutes ${wl(w.early)}, ${x.late} KB in minutes ${wl(w.late)}`;
  const { lag, latency, endToEnd: e2e, load } = r;
  recordBenchmark("soak", r.command, [
    `Broker: ${r.broker}, topics of ${PARTITIONS} partitions; PostgreSQL on the same machine (a database of its own). ` +
      `Two \`moneytrail run\` processes (\`node dist/cli.js run\`, MT_HTTP_PORT=0, each with its own MT_METRICS_PORT, MT_MAX_AHEAD_MS the span's days: event time runs ahead of the wall clock by design) in one consumer group, ` +
      `holding ${r.assignment.map((a, i) => `${names[i]}: ${a.join(",")}`).join("; ")}. Events from \`generatePopulation\` (seed ${r.seed ?? SEED}, ${fmt(r.merchants)} merchants, typology share ${r.typologyShare}), ` +
      `paced by an idempotent producer every ${r.tickMs ?? TICK_MS} ms, with one malformed message (not JSON, schema, too large, in turn) after every ${fmt(r.badEvery ?? BAD_EVERY)} events; ` +
      `each process's /metrics and /readyz sampled every ${r.sampleSeconds ?? SAMPLE_MS / 1000} s. Samples: \`${r.samplesFile}\` (not committed).`,
    "",
    `![memory and lag over the soak](${r.chart})`,
    "",
    `| duration | offered rate | achieved | events | malformed | merchants in memory (A + B; mean of min ${wl(w.early)} / of min ${wl(w.late)} / end) | alerts |`,
    `|---|---|---|---|---|---|---|`,
    `| ${round(r.minutes, 1)} min | ${fmt(r.rate)} ev/s | ${fmt(r.achievedRate)} ev/s | ${fmt(r.events)} | ${fmt(r.malformed)} | ${fmt(r.merchantsInMemory.early)} / ${fmt(r.merchantsInMemory.late)} / ${fmt(r.merchantsInMemory.end)} | ${fmt(alertRows)} on ${fmt(alertedMerchants)} merchants |`,
    "",
    `Memory, MB (${shown.map((m) => `${m.label}: ${m.metric}`).join("; ")}; start = first sample with a value, 10 s into production (later for a gauge not yet set, as the heap after major GC before the first one); growth = mean of minutes ${wl(w.late)} minus mean of minutes ${wl(w.early)}` +
      (w5 ? `, and (not judged) minus mean of minutes ${wl(w5.early)}` : "") +
      `; slope by least squares from minute ${round(w.early.from, 1)} to the end of production${w5 ? " (the second half)" : ""}):`,
    "",
    `| series | start | peak | end | mean min ${wl(w.early)} | mean min ${wl(w.late)} | growth${w5 ? " (judged)" : ""} |${w5 ? ` mean min ${wl(w5.early)} | growth from min ${wl(w5.early)} (not judged) |` : ""} slope MB/hour |`,
    `|---|---|---|---|---|---|---|${w5 ? "---|---|" : ""}---|`,
    ...r.memory.flatMap((p) => shown.map((m) => memRow(`${p.process} ${m.label}${judgedOn.includes(m.label) ? "" : " (not judged)"}`, p[m.field]!))),
    "",
    `**Memory ${r.memoryFlat ? "stayed flat" : "did NOT stay flat"}** (bound: in each process, the mean ${judgedOn.join(" and the mean ")} of minutes ${wl(w.late)} within ${r.flatBound * 100}% of those of minutes ${wl(w.early)}). ` +
      (w5
        ? `Against minutes ${wl(w5.early)}, the early window of shorter runs (reported, not judged), memory ${r.memoryFlat5to15 ? "was within the bound as well" : "was NOT within the bound"} ` +
          `(growth in MB: ${r.memory.map((p) => `${p.process} ${shown.filter((m) => judgedOn.includes(m.label)).map((m) => `${m.label} ${p[m.field]?.minutes5to15 ? growth(p[m.field]!.minutes5to15!) : "-"}`).join(", ")}`).join("; ")}). ` +
          `The 10 minutes after the first half are judged instead, by a rule fixed before this run, because ${WARM_UP}. ` +
          `Slope of the heap after major GC over the second half (least squares, minutes ${wl({ from: w.early.from, to: r.minutes })}; informational): ${heapAfterGcSlopes} MB/hour. `
        : "") +
      (judgedOn.includes("heap after major GC")
        ? `The heap after major GC (V8's heap used just after its latest mark-compact) is what the process retains. Heap used, sampled every ${r.sampleSeconds ?? SAMPLE_MS / 1000} s, also holds the garbage made since the last collection: ` +
          `it is a sawtooth whose level follows when V8 chooses to collect (its heap-growing heuristics), not what is kept, so it is shown but not judged. `
        : "") +
      `Per merchant in memory (both processes): ${[...(Number.isFinite(retainedPerMerchant.early) ? [kb("heap after major GC", retainedPerMerchant)] : []), kb("heap used", perMerchant)].join("; ")}` +
      (r.state ? `; merchant state as checkpointed at the stop: ${fmt(r.state.bytesPerMerchant)} bytes of JSON per merchant (${fmt(r.state.merchants)} merchants)` : "") +
      (r.memoEntries
        ? `; entries in the URL and domain memos (moneytrail_memo_entries, both processes; bounded caches of at most ${fmt(r.memoEntries.bound)}, which fill over the first part of a run and then stay): ${fmt(r.memoEntries.early)} in minutes ${wl(w.early)}, ${fmt(r.memoEntries.late)} in minutes ${wl(w.late)}`
        : "") +
      `. The population's event times span ${fmt(spanDays)} days whatever the duration, so a soak of ${round(r.minutes, 0)} minutes runs through ${fmt(spanDays)} days of each merchant's history: state that grows with a merchant's history shows here as growth per merchant.`,
    "",
    `**Lag ${lag.bounded ? "stayed bounded" : "was NOT bounded"}** (bound: ${LAG_BOUND_SECONDS} s of the offered rate, ${fmt(lag.boundEvents)} events): ` +
      `max total lag ${fmt(lag.max)} events (sum of moneytrail_consumer_lag over the 6 partitions, each from the process holding it${lag.max > 0 ? `; at minute ${lag.maxAtMinute}` : "; the gauge is the high watermark of the fetched batch minus the next offset after the chunk, so a consumer that keeps up reads 0"}), ` +
      `max on one partition ${fmt(lag.maxPartition)}, max in the last window ${fmt(lag.lateMax)}; measured from outside (end offsets minus the positions stored in mt_partitions, so including the batch in hand) max ${fmt(lag.maxStored)}. ` +
      `After production stopped the consumers were at lag 0 with an empty outbox in ${lag.drainSeconds} s.`,
    "",
    `Event-to-alert (moneytrail_event_to_alert_seconds, both processes' buckets summed, histogram_quantile's interpolation): ` +
      `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${fmt(latency.alerts)} alerts; last window p50 ${latency.lateP50Ms} ms, p99 ${latency.lateP99Ms} ms (${fmt(latency.lateAlerts)} alerts). ` +
      `End to end as a reader sees it (producer send to the alert read on the alerts topic, read_committed): p50 ${e2e.p50Ms} ms, p99 ${e2e.p99Ms} ms, max ${e2e.maxMs} ms.`,
    "",
    `Reconciliation ${r.reconciled ? "holds" : "FAILS"} (counters from the final scrape, before SIGTERM; \`consumed\` counts each message once across the group: events replayed into state after a handover are not counted):`,
    "",
    `| check | measured | expected | holds |`,
    `|---|---|---|---|`,
    ...r.checks.map((c) => `| ${c.check} | ${c.left} | ${c.right} | ${c.holds === null ? "-" : c.holds ? "yes" : "**NO**"} |`),
    "",
    `CPU (mean cores while producing): consumers ${load.consumers.map((x, i) => `${names[i]} ${x}`).join(", ")}, broker ${load.broker ?? "n/a"}, PostgreSQL ${load.postgres} (all its databases), the soak script ${load.soak}; ` +
      `machine ${load.machine} of ${cpus().length} (max ${load.machineMax}). Other processes on the machine used ${load.others} cores on average (max ${load.othersMax}); ` +
      `other engineers' vitest runs were seen in ${load.vitestSamples} of ${load.samples} samples${load.vitestSamples ? ", so some samples (latency, CPU) carry their load" : ""}.`,
  ]);
}

/** --report: the BENCHMARKS.md section again from a run's directory (result.json, samples.json). */
function report(dir: string): number {
  const r = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as Recorded;
  const { ticks } = JSON.parse(readFileSync(join(dir, "samples.json"), "utf8")) as { ticks: Tick[] };
  writeRecord(r, ticks);
  say(`recorded in BENCHMARKS.md (section soak) from ${dir}`);
  return 0;
}

/** --render: the chart again from a run's samples.json. */
function render(file: string): number {
  const { chart: o, ticks } = JSON.parse(readFileSync(file, "utf8")) as { chart: Parameters<typeof chart>[1]; ticks: Tick[] };
  for (const t of ticks) for (const p of t.procs) for (const { key } of MEMORY) p[key] ??= NaN; // JSON has null for NaN (older runs: no heap after GC)
  const to = join(PACKAGE_ROOT, opt.chart ?? join("docs", "soak.svg"));
  writeFileSync(to, chart(ticks, o));
  say(`chart ${relative(PACKAGE_ROOT, to)} from ${file}`);
  return 0;
}

let code = 0;
try {
  code = opt.render ? render(opt.render) : opt.report ? report(resolve(PACKAGE_ROOT, opt.report)) : await main();
} catch (err) {
  say(`failed: ${(err as Error).stack ?? String(err)}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
