// What the tests of shared infrastructure across processes share: a rules directory with an indicator set that flags
// a site and the tuner's change that switches that rule off, merchants boarding on one IP, the group's flag notices
// that drop a merchant's keys, a wait for the next read of the notices, and who was alerted for what.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect, onTestFinished } from "vitest";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import type { Runner } from "../../src/app/run.js";
import { indicatorSet, merchant } from "../helpers/events.js";
import { casesAndAlerts, until } from "./harness.js";

/**
 * In a test: a copy of the default rules and an indicator set listing `listedUrl`, removed when the test ends;
 * `shadow()` is the tuner's change that evaluates flagged-site-link in shadow (adding to no score) and returns the
 * rule set's new version.
 */
export function rulesListing(name: string, listedUrl: string): { rules: string; indicators: string; shadow: () => string } {
  const rules = mkdtempSync(join(tmpdir(), `mt-${name}-`));
  const other = mkdtempSync(join(tmpdir(), `mt-${name}-set-`));
  onTestFinished(() => {
    for (const d of [rules, other]) rmSync(d, { recursive: true, force: true });
  });
  cpSync(DEFAULT_RULES, rules, { recursive: true });
  const indicators = join(other, "set.json");
  writeFileSync(indicators, JSON.stringify(indicatorSet([{ id: "url-1", kind: "url", value: listedUrl, confidence: 95 }], { id: name, source: "member:hotline-test" })));
  const shadow = () => {
    const sites = readFileSync(join(rules, "sites.yaml"), "utf8");
    const changed = sites.replace("  - id: flagged-site-link\n    kind: flagged-site-link\n", "  - id: flagged-site-link\n    kind: flagged-site-link\n    mode: shadow\n");
    expect(changed).not.toBe(sites);
    writeFileSync(join(rules, "sites.yaml"), changed);
    return loadRuleSet(rules).version;
  };
  return { rules, indicators, shadow };
}

/** A profile event boarding a merchant on `ip`, as a producer sends it. */
export const onIp =
  (ip: string) =>
  (merchantId: string, occurredAt: string, websites = ["https://shop.example/"]): string =>
    JSON.stringify(merchant({ merchantId, occurredAt, websites, infrastructure: { ips: [ip], analyticsIds: [] } }));

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
export const alerted = async (url: string) => (await casesAndAlerts(url)).alerts.map((a) => [a.merchantId, a.typologies]).sort();
