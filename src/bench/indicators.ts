// npm run bench:indicators — a coalition-sized indicator set (1M entries by default, all kinds, part hashed):
// time to read, validate, verify its signature and index it; heap it takes; match throughput for URLs (hits and
// misses, plaintext and hashed), descriptors and identifiers. Prints one JSON line last, writes BENCHMARKS.md.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readIndicatorSet, indexSets } from "../indicators/index.js";
import { FORMAT, type IndicatorEntry, type IndicatorSet } from "../indicators/schema.js";
import { generateSigningKey, signSet, type TrustStore } from "../indicators/sign.js";
import { canonicalUrl, sha256Tagged } from "../lib/url.js";
import { recordBenchmark } from "./record.js";
import { progressBar } from "../app/progress.js";

const N = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

function entry(i: number): IndicatorEntry {
  const id = `e-${i}`;
  // a mix close to what hotlines share: mostly URLs and domains, a quarter of them hashed
  switch (i % 8) {
    case 0:
    case 1:
      return { id, kind: "url", value: `https://gallery-${i}.example/album/${i % 997}`, confidence: 80, tlp: "amber" };
    case 2:
      return { id, kind: "url-sha256", value: sha256Tagged(canonicalUrl(`https://hidden-${i}.example/p/${i}`)!), confidence: 90, tlp: "amber" };
    case 3:
    case 4:
      return { id, kind: "domain", value: `flagged-${i}.example`, confidence: 85, tlp: "amber" };
    case 5:
      return { id, kind: "domain-sha256", value: sha256Tagged(`secret-${i}.example`), confidence: 85, tlp: "amber" };
    case 6:
      return { id, kind: "merchant-id", value: `acq-x:M-${i}`, confidence: 70, tlp: "green" };
    default:
      return { id, kind: "keyword", value: `tok${i.toString(36)}`, confidence: 60, tlp: "amber", validUntil: "2030-01-01T00:00:00Z" };
  }
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

async function main(): Promise<void> {
  const bar = progressBar("generating");
  const entries: IndicatorEntry[] = [];
  for (let i = 0; i < N; i++) {
    entries.push(entry(i));
    if (i % 50_000 === 0) bar.update(i, N);
  }
  bar.stop();
  const key = generateSigningKey();
  const set: IndicatorSet = signSet({ format: FORMAT, id: "bench-set", publisher: { id: "member:bench" }, version: 1, created: "2026-01-01T00:00:00Z", entries }, "bench-1", key.privateKeyPem);
  const dir = mkdtempSync(join(tmpdir(), "mt-bench-ind-"));
  const file = join(dir, "set.json");
  writeFileSync(file, JSON.stringify(set));
  const trust: TrustStore = { keys: [{ keyId: "bench-1", publisher: "member:bench", publicKey: key.publicKeyPem }] };
  entries.length = 0;

  const before = heap();
  const [read, readMs] = timed(() => readIndicatorSet(file, trust));
  const [index, indexMs] = timed(() => indexSets([read]));
  const fileBytes = JSON.stringify(read).length;
  (read as { entries: unknown[] }).entries = [];
  const indexHeap = heap() - before;
  rmSync(dir, { recursive: true, force: true });

  const at = Date.parse("2026-06-01T00:00:00Z");
  const M = 200_000;
  const urls: string[] = [];
  for (let k = 0; k < M; k++) {
    const i = (k * 7919) % N;
    urls.push(
      k % 4 === 0 ? `https://gallery-${i - (i % 8)}.example/album/${(i - (i % 8)) % 997}` // exact listed URL
        : k % 4 === 1 ? `https://www.flagged-${i - (i % 8) + 3}.example/x/${k}` // under a listed domain
          : k % 4 === 2 ? `https://secret-${i - (i % 8) + 5}.example/y` // under a hashed domain
            : `https://shop-${k}.example/checkout?id=${k}`, // no match
    );
  }
  let hits = 0;
  const [, urlMs] = timed(() => {
    for (const u of urls) if (index.matchUrl(u, at).length) hits++;
  });
  const descriptors = Array.from({ length: M }, (_, k) => (k % 10 === 0 ? `TOK${(((k * 13) % N) - (((k * 13) % N) % 8) + 7).toString(36).toUpperCase()} CLUB 0201` : `EXAMPLE SHOP ${k}`));
  let kwHits = 0;
  const [, kwMs] = timed(() => {
    for (const d of descriptors) if (index.matchKeywords(d, at).length) kwHits++;
  });
  let idHits = 0;
  const [, idMs] = timed(() => {
    for (let k = 0; k < M; k++) if (index.lookup("merchant-id", `acq-x:M-${(k % (N / 8)) * 8 + 6}`, at).length) idHits++;
  });
  const perSec = (ms: number) => Math.round(M / (ms / 1000));
  const result = {
    bench: "indicators",
    entries: N,
    fileMB: Math.round(fileBytes / 1e5) / 10,
    loadMs: Math.round(readMs),
    indexMs: Math.round(indexMs),
    heapMB: Math.round(indexHeap / 1e5) / 10,
    heapBytesPerEntry: Math.round(indexHeap / N),
    urlMatchesPerSec: perSec(urlMs),
    urlHitShare: Math.round((hits / M) * 1000) / 1000,
    keywordMatchesPerSec: perSec(kwMs),
    keywordHitShare: Math.round((kwHits / M) * 1000) / 1000,
    identifierLookupsPerSec: perSec(idMs),
    identifierHitShare: Math.round((idHits / M) * 1000) / 1000,
    node: process.version,
  };
  recordBenchmark("indicators", "npm run bench:indicators", [
    "| entries | file | read + validate + verify signature | index | heap | URL matches/s (hit share) | descriptor matches/s (hit share) | identifier lookups/s |",
    "|---|---|---|---|---|---|---|---|",
    `| ${N.toLocaleString("en")} | ${result.fileMB} MB | ${result.loadMs} ms | ${result.indexMs} ms | ${result.heapMB} MB (${result.heapBytesPerEntry} B/entry) | ${result.urlMatchesPerSec.toLocaleString("en")} (${result.urlHitShare}) | ${result.keywordMatchesPerSec.toLocaleString("en")} (${result.keywordHitShare}) | ${result.identifierLookupsPerSec.toLocaleString("en")} |`,
    "",
    "Kinds: 25% URLs, 12.5% hashed URLs, 25% domains, 12.5% hashed domains, 12.5% merchant ids, 12.5% keywords. URLs matched: a quarter exact listed URLs, a quarter under listed domains, a quarter under hashed domains, a quarter unlisted, each distinct (the engine's miss cache does not help). Heap: after the set's own entries are dropped, what the index keeps.",
  ]);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
