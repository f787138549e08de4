// The wire contract (../shared/contract/events.md) as zod schemas: the single source of event types.
// Unknown fields are stripped, not refused: the contract grows only by optional fields, so an older
// consumer must accept a newer producer's events.
import { z } from "zod";

const hash = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256: followed by 64 lowercase hex digits");
const rfc3339 = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(256);
const url = z.string().min(1).max(4096);
const currency = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code");
const country = z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 code");

const base = {
  eventId: id,
  occurredAt: rfc3339,
  merchantId: id,
};

export const MerchantEvent = z.object({
  type: z.literal("merchant"),
  ...base,
  acquirerId: id,
  legalName: z.string().max(512).optional(),
  descriptor: z.string().min(1).max(256),
  mcc: z.string().regex(/^\d{4}$/, "expected a 4-digit MCC"),
  country,
  websites: z.array(url).max(256).optional(),
  principals: z.array(hash).max(64).optional(),
  contactEmail: hash.optional(),
  payoutAccount: hash.optional(),
  // Extension (optional): payout wallet addresses, so wallet indicators can match.
  wallets: z.array(z.string().min(1).max(256)).max(64).optional(),
  infrastructure: z
    .object({
      ips: z.array(z.string().min(1).max(64)).max(256).optional(),
      analyticsIds: z.array(z.string().min(1).max(128)).max(256).optional(),
    })
    .optional(),
});

export const TransactionEvent = z.object({
  type: z.literal("transaction"),
  ...base,
  transactionId: id,
  amountMinor: z.number().int().nonnegative(),
  currency,
  status: z.enum(["authorized", "settled", "declined", "refunded"]),
  channel: z.enum(["ecommerce", "moto", "pos"]),
  recurring: z.boolean().optional(),
  descriptor: z.string().min(1).max(256).optional(),
  card: z
    .object({
      token: hash.optional(),
      bin: z.string().regex(/^\d{6,8}$/, "expected a 6 to 8 digit BIN").optional(),
      country: country.optional(),
    })
    .optional(),
  checkout: z.object({ url: url.optional(), referrerUrl: url.optional() }).optional(),
  threeDs: z.boolean().optional(),
});

export const ChargebackEvent = z.object({
  type: z.literal("chargeback"),
  ...base,
  transactionId: id,
  network: z.string().min(1).max(32),
  reasonCode: z.string().min(1).max(16),
  kind: z.enum(["dispute", "fraud_report"]),
  amountMinor: z.number().int().nonnegative(),
  currency,
});

export const SiteObservationEvent = z.object({
  type: z.literal("site_observation"),
  ...base,
  url,
  linkedUrls: z.array(url).max(1024).optional(),
  contentDiffersByReferrer: z.boolean().optional(),
});

export const Event = z.discriminatedUnion("type", [MerchantEvent, TransactionEvent, ChargebackEvent, SiteObservationEvent]);

export type MerchantEvent = z.infer<typeof MerchantEvent>;
export type TransactionEvent = z.infer<typeof TransactionEvent>;
export type ChargebackEvent = z.infer<typeof ChargebackEvent>;
export type SiteObservationEvent = z.infer<typeof SiteObservationEvent>;
export type Event = z.infer<typeof Event>;
export type EventType = Event["type"];

export const IndicatorRef = z.object({
  set: z.string(),
  id: z.string(),
  source: z.string(),
  confidence: z.number().int().min(0).max(100),
  // Extension (optional): the entry's expiry and TLP label, for the reviewer's provenance
  validUntil: rfc3339.optional(),
  tlp: z.string().optional(),
});

export const Signal = z.object({
  rule: z.string(),
  version: z.string(),
  value: z.number(),
  threshold: z.number(),
  // Extension (optional): the rule kind and a one-line human explanation, so a reviewer need not look up the rule.
  kind: z.string().optional(),
  explanation: z.string().optional(),
  evidence: z.object({
    eventIds: z.array(z.string()),
    indicators: z.array(IndicatorRef).optional(),
  }),
});

// Extension (optional): what a reviewer sees beside the signals, from the merchant's bounded state when the alert
// was raised: its profile, the details of the evidence events it still held, and its recent daily activity.
export const EvidenceEvent = z.object({
  eventId: z.string(),
  type: z.enum(["merchant", "transaction", "chargeback", "site_observation"]),
  occurredAt: z.string(),
  transactionId: z.string().optional(),
  amountMinor: z.number().optional(),
  currency: z.string().optional(),
  status: z.string().optional(),
  channel: z.string().optional(),
  recurring: z.boolean().optional(),
  cardCountry: z.string().optional(),
  checkoutUrl: z.string().optional(),
  referrerUrl: z.string().optional(),
  network: z.string().optional(),
  reasonCode: z.string().optional(),
  kind: z.string().optional(),
  descriptor: z.string().optional(),
  url: z.string().optional(),
  linkedUrls: z.array(z.string()).optional(),
  linkedCount: z.number().optional(),
  contentDiffersByReferrer: z.boolean().optional(),
});

export const AlertContext = z.object({
  profile: z
    .object({
      acquirerId: z.string(),
      legalName: z.string().optional(),
      descriptor: z.string(),
      mcc: z.string(),
      country: z.string(),
      websites: z.array(z.string()),
      principals: z.array(z.string()),
      contactEmail: z.string().optional(),
      payoutAccount: z.string().optional(),
      wallets: z.array(z.string()),
      infrastructure: z.object({ ips: z.array(z.string()), analyticsIds: z.array(z.string()) }),
    })
    .optional(),
  events: z.array(EvidenceEvent),
  /** one entry per day with activity, oldest first, up to the alert */
  activity: z.array(z.object({ day: z.string(), sales: z.number(), amountMinor: z.number(), chargebacks: z.number() })),
});

export const Alert = z.object({
  alertId: z.string(),
  merchantId: z.string(),
  raisedAt: rfc3339,
  score: z.number().min(0).max(100),
  severity: z.enum(["low", "medium", "high", "critical"]),
  typologies: z.array(z.string()),
  signals: z.array(Signal),
  ruleSet: z.object({ id: z.string(), version: z.string() }),
  context: AlertContext.optional(),
});

export type IndicatorRef = z.infer<typeof IndicatorRef>;
export type Signal = z.infer<typeof Signal>;
export type Alert = z.infer<typeof Alert>;
export type AlertContext = z.infer<typeof AlertContext>;
export type EvidenceEvent = z.infer<typeof EvidenceEvent>;
export type Severity = Alert["severity"];
