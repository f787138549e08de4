// What the tests of shared infrastructure across processes share: a rules directory with an indicator set that flags
// a site and the tuner's change that switches that rule off, merchants boarding on one IP, merchant ids on the
// partitions a process holds, the reviewer recording a closed account, the group's flag notices that drop a
// merchant's keys, a wait for the next read of the notices, and who was alerted for what.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect, onTestFinished } from "vitest";
import { Partitioners } from "kafkajs";
import { poolDb } from "../../src/cases/db.js";
import { CONSOLE, CaseStore } from "../../src/cases/store.js";
import { Auth, PERMISSIONS } from "../../src/web/auth.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import type { Runner } from "../../src/app/run.js";
import { indicatorSet, merchant, resetEvents, tx } from "../helpers/events.js";
import { casesAndAlerts, createTopics, freshNames, freshSchema, replayAlerts, startRunner, until, waitCaughtUp, type Names } from "./harness.js";
import type { Alert } from "../../src/decode/events.js";

/** A directory removed when the test ends. */
function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mt-${name}-`));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** In a test: an indicator set `name` listing `listedUrl` (confidence 95, until `validUntil` if given); its path. */
function listingSet(name: string, listedUrl: string, validUntil?: string): string {
  const indicators = join(tempDir(`${name}-set`), "set.json");
  const entry = { id: "url-1", kind: "url" as const, value: listedUrl, confidence: 95, ...(validUntil && { validUntil }) };
  writeFileSync(indicators, JSON.stringify(indicatorSet([entry], { id: name, source: "member:hotline-test" })));
  return indicators;
}

/**
 * In a test: a copy of the default rules and an indicator set listing `listedUrl`, removed when the test ends;
 * `shadow()` is the tuner's change that evaluates flagged-site-link in shadow (adding to no score) and returns the
 * rule set's new version.
 */
export function rulesListing(name: string, listedUrl: string): { rules: string; indicators: string; shadow: () => string } {
  const rules = tempDir(name);
  cpSync(DEFAULT_RULES, rules, { recursive: true });
  const indicators = listingSet(name, listedUrl);
  const shadow = () => {
    const sites = readFileSync(join(rules, "sites.yaml"), "utf8");
    const changed = sites.replace("  - id: flagged-site-link\n    kind: flagged-site-link\n", "  - id: flagged-site-link\n    kind: flagged-site-link\n    mode: shadow\n");
    expect(changed).not.toBe(sites);
    writeFileSync(join(rules, "sites.yaml"), changed);
    return loadRuleSet(rules).version;
  };
  return { rules, indicators, shadow };
}

/** A test's topics (`partitions` each) and schema, with the events' ids and clock reset. */
async function freshStack(prefix: string, partitions: number): Promise<{ n: Names; url: string }> {
  resetEvents();
  const n = freshNames(prefix);
  await createTopics(n, partitions);
  return { n, url: await freshSchema(n) };
}

/** A test's topics and schema, and its rulesListing: what each test here starts from. */
export async function listingStack(
  prefix: string,
  partitions: number,
  listing: string,
  listedUrl: string,
): Promise<{ n: Names; url: string } & ReturnType<typeof rulesListing>> {
  return { ...(await freshStack(prefix, partitions)), ...rulesListing(listing, listedUrl) };
}

/** A test's topics and schema, and an indicator set listing `listedUrl` (until `validUntil` if given), with the default rules. */
export async function listedUrlStack(prefix: string, partitions: number, listedUrl: string, validUntil?: string): Promise<{ n: Names; url: string; indicators: string }> {
  return { ...(await freshStack(prefix, partitions)), indicators: listingSet(prefix, listedUrl, validUntil) };
}

/** The alerts `replay` gives on `lines`, in their order, with the default rules and the indicators at `indicators`. */
export async function replayed(lines: string[], indicators: string): Promise<Alert[]> {
  const file = join(tempDir("replayed"), "events.ndjson");
  writeFileSync(file, lines.join("\n") + "\n");
  return replayAlerts(file, indicators);
}

/** A profile event boarding a merchant on `ip`, as a producer sends it. */
export const onIp =
  (ip: string) =>
  (merchantId: string, occurredAt: string, websites = ["https://shop.example/"]): string =>
    JSON.stringify(merchant({ merchantId, occurredAt, websites, infrastructure: { ips: [ip], analyticsIds: [] } }));

/** `count` sales of a merchant, `stepMs` apart in event time from `from`, as a producer sends them: a partition's backlog. */
export const salesOf = (merchantId: string, count: number, from: string, stepMs: number): string[] =>
  Array.from({ length: count }, (_, i) => JSON.stringify(tx({ merchantId, occurredAt: new Date(Date.parse(from) + i * stepMs).toISOString() })));

/** The notices of the group that drop the merchant's keys, as every process reads them, and their partitions. */
export async function drops(url: string, merchantId: string): Promise<{ partition: number; notice: unknown }[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const r = await pool.query<{ partition: number; notice: { dropped?: unknown[] } }>(
      "SELECT partition, notice FROM mt_flags WHERE notice->>'merchantId' = $1 ORDER BY xid::text::bigint, seq",
      [merchantId],
    );
    return r.rows.filter((x) => x.notice.dropped?.length);
  } finally {
    await pool.end();
  }
}

/** Resolves once the runner has finished a read of the flag notices begun after this call. */
export function noticesRead(runner: Runner): () => Promise<void> {
  const store = (runner as unknown as { store: PgStore }).store;
  const since = store.flagsSince.bind(store);
  let reads = 0;
  store.flagsSince = async (...args) => {
    const rows = await since(...args);
    reads++;
    return rows;
  };
  return () => {
    const from = reads;
    // the read under way may have begun before: the one after it
    return until("flag notices read", () => reads > from + 1);
  };
}

/** The alerts in the table as [merchantId, typologies], sorted. */
/**
 * A runner started with `over` that catches up (within `caughtUpMs`) and raises `peer`'s alert (within `alertMs`),
 * then stopped: how the restart tests wait for a peer linked by a flag that came while no process ran.
 */
export async function peerAlertedAfterRestart(n: Names, url: string, over: Record<string, unknown>, peer: string, caughtUpMs: number, alertMs: number): Promise<void> {
  const runner = await startRunner(n, url, over);
  try {
    await waitCaughtUp(n, url, caughtUpMs);
    await until("the peer's alert", async () => (await casesAndAlerts(url)).alerts.some((a) => a.merchantId === peer), alertMs);
    await waitCaughtUp(n, url);
  } finally {
    await runner.stop();
  }
}

export const alerted = async (url: string) => (await casesAndAlerts(url)).alerts.map((a) => [a.merchantId, a.typologies]).sort();

/** The partition the producers' default partitioner gives a key on a topic of `partitions` partitions. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return Partitioners.DefaultPartitioner()({ topic: "t", partitionMetadata, message: { key, value: null } });
}

/** A merchant id, not yet used, whose events land on one of `on` (of a topic of `partitions` partitions). */
export function idOn(on: number[], prefix: string, used: Set<string>, partitions: number): string {
  for (let i = 0; ; i++) {
    const id = `acq-test:M-${prefix}${i}`;
    if (!used.has(id) && on.includes(partitionOf(id, partitions))) {
      used.add(id);
      return id;
    }
  }
}

/** The partitions a runner holds, from its readiness check. */
export async function held(r: Runner): Promise<number[]> {
  const detail = (await r.readiness()).checks.group?.detail ?? "";
  const m = /^partitions ([\d,]+)$/.exec(detail);
  return m ? m[1]!.split(",").map(Number) : [];
}

/** A reviewer (added once per schema: "rev") takes the merchant's case and records that the bank closed the account. */
export async function closeAccount(pool: pg.Pool, merchantId: string, terminationRef: string): Promise<void> {
  const db = poolDb(pool);
  const rev = { username: "rev", role: "reviewer" } as const;
  await new Auth(db).addUser(CONSOLE, rev);
  const store = new CaseStore(db, PERMISSIONS["cases:act"]);
  const { rows } = await pool.query<{ case_id: string }>("SELECT case_id::text FROM mt_cases WHERE merchant_id = $1", [merchantId]);
  await store.act(rows[0]!.case_id, rev, { action: "assign" });
  await store.act(rows[0]!.case_id, rev, { action: "close-account", terminationRef });
}

/** The explanations of the merchant's shared-infrastructure findings, as the reviewer reads them. */
export async function sharedExplanations(url: string, merchantId: string): Promise<string[]> {
  const { alerts } = await casesAndAlerts(url);
  return alerts.filter((a) => a.merchantId === merchantId).flatMap((a) => a.signals.filter((s) => s.kind === "shared-infrastructure").map((s) => s.explanation ?? ""));
}
