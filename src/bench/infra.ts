// What the Kafka benchmark and the soak test share: a broker (KAFKA_BROKERS, or the project's local Kafka),
// one-off statements on the PostgreSQL server, polling, and stopping what they started in reverse order.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import pg from "pg";
import type * as KafkaLocal from "../../scripts/kafka-local.mjs";
import { PACKAGE_ROOT } from "../lib/paths.js";

/** Stops what a run started, in reverse order: each step at most `timeoutMs`, a failure reported and passed over. */
export class Cleanups {
  private readonly steps: { name: string; fn: () => Promise<unknown> }[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly say: (line: string) => void,
    private readonly timeoutMs: number,
  ) {}

  /** On SIGINT or SIGTERM: tell the caller, stop everything started, exit 130 or 143. */
  onSignals(interrupted: () => void = () => undefined): void {
    for (const sig of ["SIGINT", "SIGTERM"] as const)
      process.once(sig, () => {
        interrupted();
        this.say(`${sig}: stopping everything started`);
        void this.run().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
      });
  }

  defer(name: string, fn: () => Promise<unknown>): void {
    this.steps.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, fn } of this.steps.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([fn(), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${this.timeoutMs / 1000} s`)), this.timeoutMs)))]);
        } catch (err) {
          this.say(`clean-up "${name}" failed: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      }
      this.steps.length = 0;
    })();
    return this.running;
  }
}

/** Polls `check` every `everyMs` until it holds, or fails naming what it waited for. */
export async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, everyMs: number): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not done after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise<void>((r) => setTimeout(r, everyMs));
  }
}

export interface Broker {
  brokers: string;
  describe: string;
  pid?: number;
  external: boolean;
}

/** KAFKA_BROKERS, else a local Apache Kafka started here and stopped by `cleanups` (allowing it `graceMs`). */
export async function benchBroker(say: (line: string) => void, cleanups: Cleanups, graceMs: number): Promise<Broker> {
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) return { brokers: fromEnv, describe: `KAFKA_BROKERS=${fromEnv}`, external: true };
  process.env.KAFKA_HEAP ??= "-Xms1g -Xmx1g"; // the script's advice for benchmarks
  const script = pathToFileURL(join(PACKAGE_ROOT, "scripts", "kafka-local.mjs")).href;
  const { startKafka } = (await import(script)) as typeof KafkaLocal;
  say("starting a local Apache Kafka (scripts/kafka-local.mjs)...");
  const k = await startKafka({ quiet: true });
  cleanups.defer("stop the local broker", async () => say(`local broker: ${await k.stop({ graceMs })}`));
  let version = k.version;
  if (version === "KAFKA_LIBS" && process.env.KAFKA_LIBS)
    version = readdirSync(process.env.KAFKA_LIBS).map((f) => /^kafka_2\.1[23]-(.+)\.jar$/.exec(f)?.[1]).find(Boolean) ?? version;
  say(`Kafka ${version} at ${k.brokers} (pid ${k.pid}) in ${(k.timings.totalMs / 1000).toFixed(1)} s`);
  return { brokers: k.brokers, describe: `local Apache Kafka ${version} (scripts/kafka-local.mjs, heap ${process.env.KAFKA_HEAP})`, pid: k.pid, external: false };
}

/** The PostgreSQL server a bench makes its own database or schema on: DATABASE_URL, else the local one. */
export const benchServerUrl = (): string => process.env.DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/test";

/** One statement on the server of `base` (CREATE/DROP of a bench's database or schema), on a short-lived client. */
export async function onServer(base: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  await c.connect().catch((err: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${base.replace(/:[^:@/]*@/, ":***@")} (${err.message}); set DATABASE_URL`);
  });
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
