// A process of its own that commits a one-row INSERT every few milliseconds beside the consumer and reports how
// long each commit took. When alerts wait and the probe's commits wait in the same second, the wait is
// PostgreSQL's (its disk), not the consumer's. Run by bench:kafka's latency phase; a process of its own so that
// the benchmark's producer and reader do not hold up its clock.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { PACKAGE_ROOT } from "../lib/paths.js";
import { sleep } from "./processes.js";

/** [start of the commit (ms since the epoch), its duration in ms] */
export type Commit = [number, number];

export interface CommitProbe {
  /** stops the probe; its commits, in order */
  stop(): Promise<Commit[]>;
}

/** Starts the probe on `url` (a schema of the benchmark's own: it creates its table there). */
export function startCommitProbe(url: string, everyMs = 50): CommitProbe {
  const fromSources = import.meta.url.endsWith(".ts");
  const args = fromSources ? ["--import", "tsx", join(PACKAGE_ROOT, "src", "bench", "commit-probe.ts")] : [fileURLToPath(import.meta.url)];
  const child = spawn(process.execPath, args, { env: { ...process.env, PROBE_URL: url, PROBE_MS: String(everyMs) }, stdio: ["ignore", "pipe", "inherit"] });
  const commits: Commit[] = [];
  let rest = "";
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (rest + d.toString()).split("\n");
    rest = lines.pop()!;
    for (const l of lines) {
      const [at, ms] = l.split(" ").map(Number);
      commits.push([at!, ms!]);
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    async stop() {
      child.kill("SIGTERM");
      await exited;
      return commits;
    },
  };
}

async function probe(url: string, everyMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("CREATE TABLE IF NOT EXISTS mt_commit_probe (at timestamptz NOT NULL)");
  let stopping = false;
  process.once("SIGTERM", () => (stopping = true));
  const epoch = () => performance.timeOrigin + performance.now();
  while (!stopping) {
    const at = epoch();
    await client.query("INSERT INTO mt_commit_probe VALUES (now())");
    process.stdout.write(`${Math.round(at)} ${(epoch() - at).toFixed(1)}\n`);
    const wait = at + everyMs - epoch();
    if (wait > 0) await sleep(wait);
  }
  await client.end();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await probe(process.env.PROBE_URL!, Number(process.env.PROBE_MS ?? 50));
}
