// node --expose-gc --max-semi-space-size=64 dist/bench/engine-replay.js EVENTS.ndjson INDICATORS_DIR [--rounds N]
//   [--builds DIST,DIST...]
//
// Two or more builds of the engine compared in one process, with less noise than bench:engine or bench:kafka give
// on a shared machine: the builds take turns (A B, then B A, ...), so a minute when the machine is slow falls on both.
// Each build's own modules are imported from its dist directory (a clone of a commit in /tmp with node_modules
// linked and built; this file needs no copy there); --builds defaults to this build alone.
//  - engine: the stream decoded before the clock starts, then run through a fresh Engine and IndicatorIndex (its URL
//    memo empty, as in a new process), wall and CPU seconds; the alerts' count and a hash of their ids, which must
//    agree between builds with the same rules;
//  - url: what flagged-site-link asks of each address of the stream (a profile's websites, checkout and referrer
//    URLs, a crawl's page and links), with the index's memo warm: ns a question, the lookup the rule makes for every
//    address (matchesAt where the build has it, else matchUrl and matchLookAlikes, else matchUrl);
//  - keywords: keywordForm over the stream's descriptors in order, ns a call.
// Prints one line per round and a summary: per build the medians, and against the first build the median of the
// paired differences with how many pairs of how many had the build slower.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "./stats.js";

interface Build {
  dist: string;
  Engine: new (ruleSet: unknown, indicators: unknown, track: boolean, hits: boolean) => { process(e: unknown): readonly { alertId: string }[] };
  decode: (raw: string) => { ok: true; event: StreamEvent } | { ok: false };
  loadIndicators: (dir: string) => Index;
  keywordForm: (raw: string) => string;
  hash32: (s: string) => number;
  ruleSet: unknown;
  times: Record<Measure, number[]>;
  alerts?: string;
  /** addresses that matched or look like a listed name: the same in every build */
  found?: number;
}
interface Index {
  matchUrl(raw: string, at: number): readonly unknown[];
  matchLookAlikes?(raw: string, at: number): readonly unknown[];
  matchesAt?(raw: string, at: number): { listed: readonly unknown[]; lookAlikes: readonly unknown[] };
}
interface StreamEvent {
  type: string;
  occurredAt: string;
  descriptor?: string;
  websites?: string[];
  checkout?: { url?: string; referrerUrl?: string };
  url?: string;
  linkedUrls?: string[];
}
type Measure = "engine" | "cpu" | "url" | "keywords";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const rounds = Number(flag("--rounds") ?? 10);
const dists = (flag("--builds") ?? dirname(dirname(fileURLToPath(import.meta.url)))).split(",");
const [eventsFile, indicatorsDir] = args;
if (!eventsFile || !indicatorsDir || !(rounds >= 1)) {
  process.stderr.write("usage: node dist/bench/engine-replay.js EVENTS.ndjson INDICATORS_DIR [--rounds N, default 10] [--builds DIST,DIST...]\n");
  process.exit(2);
}
const lines = readFileSync(eventsFile, "utf8").split("\n").filter((l) => l.trim() !== "");

const builds: Build[] = [];
for (const dist of dists) {
  const load = (f: string) => import(`${dist}/${f}`);
  const [engine, decode, ruleset, indicators, descriptor, hash, paths] = await Promise.all(
    ["engine.js", "decode/decode.js", "rules/ruleset.js", "indicators/index.js", "lib/descriptor.js", "lib/hash.js", "lib/paths.js"].map(load),
  );
  builds.push({
    dist,
    Engine: engine.Engine,
    decode: decode.decode,
    loadIndicators: indicators.loadIndicators,
    keywordForm: descriptor.keywordForm,
    hash32: hash.hash32,
    // each build with its own rules/ (a parameter added to a rule is part of the build)
    ruleSet: ruleset.loadRuleSet(paths.DEFAULT_RULES),
    times: { engine: [], cpu: [], url: [], keywords: [] },
  });
}

/** The stream's events, decoded afresh for each round: the engine keeps references to them in merchant state. */
function events(b: Build): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const l of lines) {
    const d = b.decode(l);
    if (d.ok) out.push(d.event);
  }
  return out;
}

// the addresses flagged-site-link checks, and the descriptors, in the stream's order
const stream = events(builds[0]!);
const urls: [string, number][] = [];
const descriptors: string[] = [];
for (const e of stream) {
  const at = Date.parse(e.occurredAt);
  for (const u of [...(e.websites ?? []), e.checkout?.url, e.checkout?.referrerUrl, e.url, ...(e.linkedUrls ?? [])]) if (u) urls.push([u, at]);
  if (e.descriptor) descriptors.push(e.descriptor);
}

function engineRound(b: Build): void {
  const evs = events(b);
  const engine = new b.Engine(b.ruleSet, b.loadIndicators(indicatorsDir!), false, false);
  global.gc?.();
  let alerts = 0;
  let ids = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const e of evs)
    for (const a of engine.process(e)) {
      alerts++;
      ids = (Math.imul(ids, 31) + b.hash32(a.alertId)) >>> 0;
    }
  b.times.engine.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const c = process.cpuUsage(c0);
  b.times.cpu.push((c.user + c.system) / 1e6);
  b.alerts = `${alerts} (ids ${ids.toString(16)})`;
}

const warmIndex = new Map<Build, Index>();
function urlRound(b: Build): void {
  let index = warmIndex.get(b);
  if (!index) warmIndex.set(b, (index = b.loadIndicators(indicatorsDir!)));
  let found = 0;
  const t0 = process.hrtime.bigint();
  if (index.matchesAt) {
    for (const [u, at] of urls) {
      const m = index.matchesAt(u, at);
      if (m.listed.length || m.lookAlikes.length) found++;
    }
  } else if (index.matchLookAlikes) {
    for (const [u, at] of urls) if (index.matchUrl(u, at).length || index.matchLookAlikes(u, at).length) found++;
  } else for (const [u, at] of urls) if (index.matchUrl(u, at).length) found++;
  b.times.url.push(Number(process.hrtime.bigint() - t0) / urls.length);
  b.found = found;
}

function keywordRound(b: Build): void {
  let n = 0;
  const t0 = process.hrtime.bigint();
  for (const d of descriptors) n += b.keywordForm(d).length;
  b.times.keywords.push(Number(process.hrtime.bigint() - t0) / descriptors.length);
}

const say = (s: string) => process.stdout.write(`${s}\n`);
say(`${lines.length} events, ${urls.length} addresses, ${descriptors.length} descriptors; builds: ${dists.join(", ")}`);
// a first round of each, not counted: the JIT's warm-up and the index's memo filled
for (const b of builds) engineRound(b), urlRound(b), keywordRound(b);
for (const b of builds) for (const k of Object.keys(b.times) as Measure[]) b.times[k] = [];
for (let r = 0; r < rounds; r++)
  for (const b of r % 2 ? [...builds].reverse() : builds) {
    engineRound(b);
    urlRound(b);
    keywordRound(b);
    const t = b.times;
    say(`round ${r + 1} ${b.dist}: engine ${t.engine.at(-1)!.toFixed(3)} s (cpu ${t.cpu.at(-1)!.toFixed(3)} s), url ${t.url.at(-1)!.toFixed(1)} ns, keywordForm ${t.keywords.at(-1)!.toFixed(1)} ns, alerts ${b.alerts}`);
  }

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 0.5);
const MEASURES: [Measure, string, number][] = [
  ["engine", "engine s", 3],
  ["cpu", "cpu s", 3],
  ["url", "url ns", 1],
  ["keywords", "keywordForm ns", 1],
];
const [first] = builds;
for (const b of builds) {
  const parts = MEASURES.map(([k, name, digits]) => {
    let s = `${name} ${median(b.times[k]).toFixed(digits)}`;
    if (b !== first) {
      const d = b.times[k].map((x, i) => x - first!.times[k][i]!);
      s += ` (${median(d) >= 0 ? "+" : ""}${median(d).toFixed(digits)}, slower in ${d.filter((x) => x > 0).length}/${d.length})`;
    }
    return s;
  });
  say(`summary ${b.dist}: ${parts.join(", ")}; alerts ${b.alerts}; addresses matched ${b.found}`);
}
