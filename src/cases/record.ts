// The case sink: a batch of alerts into the alert table and onto each merchant's open case, opening one where
// there is none. Runs inside the caller's transaction (the consumer's chunk, or the embedded demo's load).
import type { Alert, Severity } from "../decode/events.js";
import type { Queryable } from "./db.js";
import type { RuleHit } from "../engine.js";

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
/** A case reaching one of these severities is announced on the webhook. */
const ANNOUNCE = RANK.high;

export interface RecordOptions {
  /** acquirer of a merchant, for the queue's filters */
  acquirerOf: (merchantId: string) => string | undefined;
  /** queue a webhook delivery for each case that is new at high severity or rises to it */
  webhooks: boolean;
}

/**
 * In three statements whatever the number of alerts (four with webhooks): a case takes its merchant's latest alert
 * of the batch; a case opened here is dated by the first. An alert already recorded is skipped, so a batch
 * written twice changes nothing.
 */
export async function recordAlerts(c: Queryable, alerts: readonly Alert[], o: RecordOptions): Promise<void> {
  if (alerts.length === 0) return;
  const inserted = await c.query<{ alert_id: string }>(
    `INSERT INTO mt_alerts (alert_id, merchant_id, raised_at, score, severity, rule_set_version, alert)
     SELECT a->>'alertId', a->>'merchantId', (a->>'raisedAt')::timestamptz, (a->>'score')::int, a->>'severity',
            a->'ruleSet'->>'version', a
     FROM json_array_elements($1::json) AS a
     ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id`,
    [JSON.stringify(alerts)],
  );
  const fresh = new Set(inserted.rows.map((r) => r.alert_id));
  const byMerchant = new Map<string, { first: Alert; last: Alert; ids: string[] }>();
  for (const a of alerts) {
    if (!fresh.has(a.alertId)) continue;
    const m = byMerchant.get(a.merchantId);
    if (m) {
      m.last = a;
      m.ids.push(a.alertId);
    } else byMerchant.set(a.merchantId, { first: a, last: a, ids: [a.alertId] });
  }
  if (byMerchant.size === 0) return;
  const before = new Map<string, Severity>();
  if (o.webhooks) {
    const prev = await c.query<{ merchant_id: string; severity: Severity }>(
      `SELECT merchant_id, severity FROM mt_cases WHERE merchant_id = ANY($1::text[]) AND status NOT IN ('reported', 'dismissed')`,
      [[...byMerchant.keys()]],
    );
    for (const r of prev.rows) before.set(r.merchant_id, r.severity);
  }
  const rows = [...byMerchant].map(([m, { first, last }]) => ({
    m,
    score: last.score,
    sev: last.severity,
    typ: last.typologies,
    acq: o.acquirerOf(m) ?? null,
    opened: first.raisedAt,
    at: last.raisedAt,
    id: last.alertId,
  }));
  const cases = await c.query<{ case_id: string; merchant_id: string; severity: Severity; score: number }>(
    `INSERT INTO mt_cases (merchant_id, score, severity, typologies, acquirer_id, opened_at, updated_at, last_alert_id)
     SELECT t.m, t.score, t.sev, ARRAY(SELECT json_array_elements_text(t.typ)), t.acq, t.opened, t.at, t.id
     FROM json_to_recordset($1::json) AS t(m text, score int, sev text, typ json, acq text, opened timestamptz, at timestamptz, id text)
     ON CONFLICT (merchant_id) WHERE status NOT IN ('reported', 'dismissed') DO UPDATE
       SET score = EXCLUDED.score, severity = EXCLUDED.severity, typologies = EXCLUDED.typologies,
           updated_at = EXCLUDED.updated_at, last_alert_id = EXCLUDED.last_alert_id,
           acquirer_id = COALESCE(EXCLUDED.acquirer_id, mt_cases.acquirer_id)
     RETURNING case_id::text, merchant_id, severity, score`,
    [JSON.stringify(rows)],
  );
  const caseIds: string[] = [];
  const alertIds: string[] = [];
  for (const r of cases.rows)
    for (const id of byMerchant.get(r.merchant_id)!.ids) {
      caseIds.push(r.case_id);
      alertIds.push(id);
    }
  await c.query("INSERT INTO mt_case_alerts (case_id, alert_id) SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING", [caseIds, alertIds]);
  if (!o.webhooks) return;
  const announce = cases.rows.filter((r) => RANK[r.severity] >= ANNOUNCE && (before.get(r.merchant_id) === undefined || RANK[before.get(r.merchant_id)!] < ANNOUNCE));
  if (announce.length === 0) return;
  await c.query(
    `INSERT INTO mt_webhooks (case_id, event, payload) SELECT (p->>'caseId')::bigint, 'case.high-severity', p FROM json_array_elements($1::json) AS p`,
    [
      JSON.stringify(
        announce.map((r) => {
          const last = byMerchant.get(r.merchant_id)!.last;
          return {
            event: "case.high-severity",
            caseId: r.case_id,
            merchantId: r.merchant_id,
            severity: r.severity,
            score: r.score,
            typologies: last.typologies,
            alertId: last.alertId,
            raisedAt: last.raisedAt,
            new: !before.has(r.merchant_id),
          };
        }),
      ),
    ],
  );
}

/** Rules that started to hold on merchants, live and shadow: what tuners count beside alerts. Once per rule version and merchant. */
export async function recordHits(c: Queryable, hits: readonly RuleHit[]): Promise<void> {
  if (hits.length === 0) return;
  await c.query(
    `INSERT INTO mt_rule_hits (rule_id, rule_version, mode, merchant_id, first_at)
     SELECT h->>'rule', h->>'version', h->>'mode', h->>'merchantId', (h->>'at')::timestamptz FROM json_array_elements($1::json) AS h
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(hits)],
  );
}
