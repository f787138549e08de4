// What the tests of shared infrastructure across processes share: merchants boarding on one IP, the group's flag
// notices that drop a merchant's keys, a wait for the next read of the notices, and who was alerted for what.
import pg from "pg";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import type { Runner } from "../../src/app/run.js";
import { merchant } from "../helpers/events.js";
import { casesAndAlerts, until } from "./harness.js";

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
