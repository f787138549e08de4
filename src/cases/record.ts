// The case sink: a batch of alerts into the alert table and onto each merchant's open case, and the rule hits the
// tuners count, in one statement (mt_record, migration 6). Runs inside the caller's transaction (the demo's load),
// or inside the consumer's statement that moves its position (PgStore.commitOutputs).
import type { Alert } from "../decode/events.js";
import type { Queryable } from "./db.js";
import type { RuleHit } from "../engine.js";

export interface RecordOptions {
  /** acquirer of a merchant, for the queue's filters */
  acquirerOf: (merchantId: string) => string | undefined;
  /** queue a webhook delivery for each case that is new at high severity or rises to it */
  webhooks: boolean;
}

/** mt_record's call, its arguments from `first` on: alerts, hits, the alerted merchants' acquirers, webhooks. */
export const recordCall = (first: number): string => `mt_record($${first}::json, $${first + 1}::json, $${first + 2}::json, $${first + 3}::boolean)`;

export function recordArgs(alerts: readonly Alert[], hits: readonly RuleHit[], o: RecordOptions): [string, string, string, boolean] {
  const acquirers: Record<string, string> = {};
  for (const a of alerts) {
    const acq = o.acquirerOf(a.merchantId);
    if (acq !== undefined) acquirers[a.merchantId] = acq;
  }
  return [JSON.stringify(alerts), JSON.stringify(hits), JSON.stringify(acquirers), o.webhooks];
}

/** Alerts and rule hits (a rule started to hold on a merchant: once per rule version and merchant). */
export async function recordAlerts(c: Queryable, alerts: readonly Alert[], o: RecordOptions, hits: readonly RuleHit[] = []): Promise<void> {
  if (alerts.length === 0 && hits.length === 0) return;
  await c.query(`SELECT ${recordCall(1)}`, recordArgs(alerts, hits, o));
}
