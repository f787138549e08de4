// What the soak test and bench:kafka share to run `moneytrail run` as child processes and watch them from outside,
// as Prometheus would: spawning with a metrics port of its own, scraping /metrics (text format) and /readyz, and
// CPU time from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../lib/paths.js";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The port listened on 127.0.0.1 (0: one the kernel picks), or undefined if it is taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => (err.code === "EADDRINUSE" ? resolve(undefined) : reject(err)));
    srv.listen(port, "127.0.0.1", () => {
      const addr = srv.address();
      const bound = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(bound));
    });
  });
}

/** The lowest port of the kernel's ephemeral range (Linux's default where it cannot be read). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

const LOWEST_PORT = 10_000;

/**
 * A TCP port free on 127.0.0.1 now, for a child process that binds it seconds later (after its warm-up): one below the
 * ephemeral range, which the kernel hands to every outgoing connection and every listen(0) meanwhile (on a busy
 * machine one took it, and the child exited: 'MT_METRICS_PORT: ... is already in use'). listen(0) where that range
 * leaves no room below it.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralLow();
  for (let i = 0; below > LOWEST_PORT && i < 100; i++) {
    const port = await listenOnce(LOWEST_PORT + Math.floor(Math.random() * (below - LOWEST_PORT)));
    if (port !== undefined) return port;
  }
  return (await listenOnce(0))!;
}

export interface Consumer {
  name: string;
  child: ChildProcess;
  pid: number;
  metricsPort: number;
  logFile: string;
  /** set once the process has exited */
  exit?: { code: number | null; signal: NodeJS.Signals | null; at: number };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `moneytrail run` as a child process: the build (dist/cli.js) when this module runs from dist, else the sources
 * through tsx. MT_METRICS_PORT is a free port of its own and MT_HTTP_PORT=0 (no reviewers' page); its output goes
 * to logFile.
 */
export async function spawnConsumer(name: string, env: Record<string, string>, logFile: string): Promise<Consumer> {
  const metricsPort = await freePort();
  const fromSources = import.meta.url.endsWith(".ts");
  const args = fromSources ? ["--import", "tsx", join(PACKAGE_ROOT, "src", "cli.ts"), "run"] : [join(PACKAGE_ROOT, "dist", "cli.js"), "run"];
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, MT_HTTP_PORT: "0", LOG_LEVEL: "info", ...env, MT_METRICS_PORT: String(metricsPort), MT_METRICS_HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = createWriteStream(logFile, { flags: "a" });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const c: Consumer = {
    name,
    child,
    pid: child.pid ?? -1,
    metricsPort,
    logFile,
    exited: new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        c.exit = { code, signal, at: Date.now() };
        setTimeout(() => out.end(), 100);
        resolve({ code, signal });
      });
    }),
  };
  return c;
}

/** SIGTERM (the consumer's clean stop), then SIGKILL after graceMs. Resolves to how it ended and how long it took. */
export async function stopConsumer(c: Consumer, graceMs = 60_000): Promise<{ how: string; ms: number; code: number | null }> {
  const t0 = Date.now();
  if (c.exit) return { how: `had already exited (${c.exit.signal ?? `code ${c.exit.code}`})`, ms: 0, code: c.exit.code };
  c.child.kill("SIGTERM");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  const r = await Promise.race([c.exited, timer]);
  if (r === "timeout") {
    c.child.kill("SIGKILL");
    const e = await c.exited;
    return { how: `SIGKILL after ${graceMs / 1000} s without exiting on SIGTERM`, ms: Date.now() - t0, code: e.code };
  }
  return { how: r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`, ms: Date.now() - t0, code: r.code };
}

// ------------------------------------------------------------------------------------------------ /metrics

export interface Sample {
  labels: Record<string, string>;
  value: number;
}
export type Scrape = Map<string, Sample[]>;

/** The Prometheus text format, by metric name (histograms as their _bucket, _sum and _count series). */
export function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch));
    const value = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
    let list = out.get(m[1]!);
    if (!list) out.set(m[1]!, (list = []));
    list.push({ labels, value });
  }
  return out;
}

/** Sum of a metric's series (optionally only those whose labels match). */
export function total(s: Scrape, name: string, where: Record<string, string> = {}): number {
  return (s.get(name) ?? []).filter((x) => Object.entries(where).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
}

/** A metric's series by one label's value. */
export function byLabel(s: Scrape, name: string, label: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of s.get(name) ?? []) m.set(x.labels[label] ?? "", (m.get(x.labels[label] ?? "") ?? 0) + x.value);
  return m;
}

export async function scrape(port: number, timeoutMs = 5000): Promise<Scrape> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`/metrics answered ${r.status}`);
  return parseMetrics(await r.text());
}

/** /readyz: ready or not, and the partitions this member holds (from the group check's detail). */
export async function readiness(port: number, timeoutMs = 5000): Promise<{ ready: boolean; partitions: number[]; detail: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await r.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
  const group = body.checks.group?.detail ?? "";
  const m = /^partitions ([\d,]+)$/.exec(group);
  const partitions = m ? m[1]!.split(",").map(Number) : [];
  const failing = Object.entries(body.checks)
    .filter(([, c]) => !c.ok)
    .map(([k, c]) => `${k}: ${c.detail ?? "not ok"}`)
    .join("; ");
  return { ready: body.ready, partitions, detail: failing || group };
}

/** Cumulative bucket counts of a histogram, summed over scrapes (processes): [le, count] sorted by le. */
export function histogram(scrapes: Scrape[], name: string): [number, number][] {
  const acc = new Map<number, number>();
  for (const s of scrapes)
    for (const x of s.get(`${name}_bucket`) ?? []) {
      const le = x.labels.le === "+Inf" ? Infinity : Number(x.labels.le);
      acc.set(le, (acc.get(le) ?? 0) + x.value);
    }
  return [...acc].sort((a, b) => a[0] - b[0]);
}

/** Bucket-wise sum of cumulative histograms. */
export function sumHistograms(list: [number, number][][]): [number, number][] {
  const acc = new Map<number, number>();
  for (const h of list) for (const [le, n] of h) acc.set(le, (acc.get(le) ?? 0) + n);
  return [...acc].sort((a, b) => a[0] - b[0]);
}

/** Bucket-wise difference of two cumulative histograms (a window between two scrapes). */
export function histogramSince(after: [number, number][], before: [number, number][]): [number, number][] {
  const b = new Map(before);
  return after.map(([le, n]) => [le, n - (b.get(le) ?? 0)]);
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket holding the rank. NaN when empty. */
export function histogramQuantile(q: number, buckets: [number, number][]): number {
  if (!buckets.length) return NaN;
  const count = buckets[buckets.length - 1]![1];
  if (count <= 0) return NaN;
  const rank = q * count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, n] of buckets) {
    if (n >= rank) {
      if (le === Infinity) return prevLe; // beyond the highest finite bucket: its bound, as Prometheus does
      if (n === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (n - prevCount);
    }
    prevLe = le;
    prevCount = n;
  }
  return prevLe;
}

// ------------------------------------------------------------------------------------------------ /proc

/** CPU clock ticks (10 ms) used by a process: utime + stime; 0 when it is gone. */
export function procTicks(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks by pid of PostgreSQL's processes (backends come and go: compare pid by pid). */
export function postgresTicks(): Map<string, number> {
  const t = new Map<string, number>();
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres") t.set(pid, procTicks(pid));
      } catch {
        /* gone */
      }
    }
  } catch {
    /* no /proc */
  }
  return t;
}

export function machineTicks(): { busy: number; total: number } {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const all = f.reduce((a, b) => a + b, 0);
    return { busy: all - f[3]! - (f[4] ?? 0), total: all };
  } catch {
    return { busy: 0, total: 0 };
  }
}
