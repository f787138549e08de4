// `moneytrail indicators publish` of set files written to a temporary directory, against a port nothing listens on:
// what publish says of a set comes before it connects. MT_KAFKA_START_WAIT_MS=0: a set that goes on to connect is told
// at once that the broker did not answer (not after the 10 s a command waits by default).
import { afterAll } from "vitest";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IndicatorSet } from "../../src/indicators/schema.js";
import { CLI } from "./cli.js";

export interface PublishBeforeConnect {
  /** writes a set of `head` (its id, version, publisher) with these entries; its path */
  setFile(name: string, entries: IndicatorSet["entries"]): string;
  publish(file: string): SpawnSyncReturns<string>;
}

export function publishBeforeConnect(prefix: string, head: Pick<IndicatorSet, "id" | "version" | "publisher">): PublishBeforeConnect {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    setFile(name, entries) {
      const set: IndicatorSet = { format: "moneytrail-indicators/1", ...head, created: "2026-12-01T00:00:00Z", entries };
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(set));
      return file;
    },
    publish(file) {
      const { KAFKA_BROKERS: _, MT_TRUST_STORE: __, ...env } = process.env;
      return spawnSync(process.execPath, [...CLI, "indicators", "publish", file, "--unsigned", "--brokers", "127.0.0.1:1"], { env: { ...env, MT_KAFKA_START_WAIT_MS: "0" }, encoding: "utf8", timeout: 60_000 });
    },
  };
}
