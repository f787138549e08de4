// Alerts for the case tests and recording them on a database, as the case sink does. Synthetic merchants under
// acq-test, reserved domains only.
import { recordAlerts } from "../../src/cases/record.js";
import type { Db } from "../../src/cases/db.js";
import type { Alert } from "../../src/decode/events.js";

/**
 * An alert that opens or raises a case: by default on acq-test:M-1 on 2026-03-01, score 80, high, one early
 * warning on disputes with no evidence events. The overrides replace whole keys.
 */
export const caseAlert = ({ alertId, ...over }: Partial<Alert> & Pick<Alert, "alertId">): Alert => ({
  alertId,
  merchantId: "acq-test:M-1",
  raisedAt: "2026-03-01T00:00:00Z",
  score: 80,
  severity: "high",
  typologies: ["excessive-disputes"],
  signals: [{ rule: "early-warning-disputes", version: "v1", kind: "chargeback-ratio", value: 0.03, threshold: 0.01, explanation: "chargeback ratio 3.00%", evidence: { eventIds: [] } }],
  ruleSet: { id: "default", version: "sha256:00" },
  context: { events: [], activity: [] },
  ...over,
});

/** An alert (score 90, high) on acq-test:M-1 whose shop links to a flagged site: the crawl e-1 is its evidence. */
export const linkedToFlaggedAlert = (alertId: string, flaggedUrl: string): Alert =>
  caseAlert({
    alertId,
    score: 90,
    typologies: ["linked-to-flagged"],
    signals: [{ rule: "flagged-site-link", version: "v1", kind: "flagged-site-link", value: 90, threshold: 50, explanation: "links to a flagged site", evidence: { eventIds: ["e-1"] } }],
    context: {
      events: [{ eventId: "e-1", type: "site_observation", occurredAt: "2026-03-01T00:00:00Z", url: "https://shop.example/", linkedUrls: [flaggedUrl] }],
      activity: [],
    },
  });

/**
 * An alert (the default caseAlert's) whose evidence holds text the merchant wrote: its profile under acq-test (MCC
 * 5967, NL) with `own`'s legal name, descriptor and websites, and its transaction e-1 with `txDescriptor`.
 */
export const merchantTextAlert = (alertId: string, own: { legalName: string; descriptor: string; websites: string[] }, txDescriptor: string): Alert =>
  caseAlert({
    alertId,
    context: {
      profile: {
        acquirerId: "acq-test",
        legalName: own.legalName,
        descriptor: own.descriptor,
        mcc: "5967",
        country: "NL",
        websites: own.websites,
        principals: [],
        wallets: [],
        infrastructure: { ips: [], analyticsIds: [] },
      },
      events: [{ eventId: "e-1", type: "transaction", occurredAt: "2026-03-01T00:00:00Z", amountMinor: 100, currency: "EUR", descriptor: txDescriptor }],
      activity: [],
    },
  });

/** Records alerts in one transaction, every merchant under the acquirer acq-test, no webhooks. */
export const record = (db: Db, ...alerts: Alert[]): Promise<void> => db.tx((q) => recordAlerts(q, alerts, { acquirerOf: () => "acq-test", webhooks: false }));

/** The id of a merchant's open case. */
export const openCaseOf = async (db: Db, merchantId: string): Promise<string> =>
  (await db.query<{ id: string }>("SELECT case_id::text AS id FROM mt_cases WHERE merchant_id = $1 AND closed_at IS NULL", [merchantId])).rows[0]!.id;

/** Records an alert on a merchant with no open case: the id of the case it opens. */
export async function recordCase(db: Db, alert: Alert): Promise<string> {
  await record(db, alert);
  return openCaseOf(db, alert.merchantId);
}
