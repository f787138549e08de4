// The wire contract (../shared/contract/events.md) as zod schemas: the single source of event types.
// Unknown fields are stripped, not refused: the contract grows only by optional fields, so an older
// consumer must accept a newer producer's events.
//
// A value the contract allows in several spellings is read in one (hashes in lower case, times with T and Z, card
// networks by one name), so that state, rules and indicator lookups compare one form. Such a schema rewrites the
// value and then checks the canonical form; its JSON Schema, and so ajv's code in decode.ts, has only the check,
// so canonical events (nearly all) pass ajv untouched and only the others reach zod, which rewrites them.
import { z } from "zod";
import { canonicalIp } from "../lib/ip.js";

// Bounds of this service where the contract sets none (README: Event limits); a refusal names its bound.
const BOUND = "a bound of this service (README: Event limits)";
const text = (max: number) => z.string().min(1).max(max, `longer than ${max} characters, ${BOUND}`);
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `more than ${max} entries, ${BOUND}`);

// Upper-case hex is the same hash: read in lower case, as indicator sets store theirs (src/indicators/schema.ts).
const hash = z.string().toLowerCase().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256: followed by 64 hex digits");
// RFC 3339 in UTC. Its other spellings of UTC (a lower-case t or z, +00:00, -00:00) are read as T and Z; any other
// offset is refused, as the contract requires UTC: the dead letter keeps the event to be sent again in UTC.
const WITH_OFFSET = /[+-]\d\d:\d\d$/;
const rfc3339Utc = z
  .string()
  .overwrite((s) => s.replace(/^(\d{4}-\d\d-\d\d)t/, "$1T").replace(/(?:z|[+-]00:00)$/, "Z"))
  .regex(z.regexes.datetime({ offset: false, local: false }), {
    // a time refused for its offset says so; any other (no seconds, a date alone, 30 February, :60) says what a time is
    error: (iss) =>
      typeof iss.input === "string" && WITH_OFFSET.test(iss.input)
        ? "expected an RFC 3339 time in UTC, as 2026-03-01T09:00:00Z: the contract requires UTC, so convert a time with an offset (+02:00) to Z"
        : "expected an RFC 3339 time in UTC, as 2026-03-01T09:00:00Z: a calendar date, T, hours, minutes and seconds (00 to 59, no leap second), an optional fraction, and Z",
  });
// Alerts keep reading offsets: the case store holds alerts raised from events before times had to be in UTC.
const rfc3339 = z.iso.datetime({ offset: true });
const id = text(256);
const url = text(4096);
// the codes' letters are upper-case: a refusal says so, or "eur" would look like the ISO 4217 code it was asked for
const currency = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code: 3 upper-case letters, as EUR");
const country = z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 code: 2 upper-case letters, as NL");

// Card networks by one name whatever the producer's spelling ("MC", "Master Card"), so that the scheme programs
// (VAMP, ECP) count every chargeback of theirs. A name not known here is kept as sent: the contract lists none.
const NETWORKS = ["visa", "mastercard", "amex", "discover", "diners", "jcb", "unionpay"] as const;
const NETWORK_ALIASES = new Map<string, (typeof NETWORKS)[number]>([
  ...NETWORKS.map((n) => [n, n] as const),
  ["mc", "mastercard"],
  ["americanexpress", "amex"],
  ["dinersclub", "diners"],
  ["dinersclubinternational", "diners"],
  ["chinaunionpay", "unionpay"],
  ["cup", "unionpay"],
]);
/** a card network's canonical name, or the name as given when it is not one this service knows */
const networkName = (name: string): string => NETWORK_ALIASES.get(name.toLowerCase().replace(/[\s._-]+/g, "")) ?? name;
// ajv's code admits only the canonical names (the enum is JSON Schema's alone); any other name goes to zod.
const network = text(32).overwrite(networkName).meta({ enum: [...NETWORKS] });
// IP addresses in one spelling (RFC 5952 for IPv6), as `ip` indicators are keyed, so that "2001:DB8::1" in an event
// is the listed 2001:db8::1 and links with another merchant's 2001:db8:0::1. A value that is no address is kept as
// sent. ajv's code admits only what is sure to be in that spelling already: digits and dots (an IPv4 address, or no
// address: either kept as sent), or an IPv6 address whose first group is written, in lower case without leading
// zeros, no group 0, and one :: for at least two groups (its only run of zeros); the rest goes to zod.
const V6_GROUP = "[1-9a-f][0-9a-f]{0,3}";
const IN_ONE_SPELLING = `^(?:[0-9.]+|(?=(?:[0-9a-f]+:*){1,6}$)${V6_GROUP}(?::${V6_GROUP})*::(?:${V6_GROUP}(?::${V6_GROUP})*)?)$`;
const ip = text(64).overwrite(canonicalIp).meta({ pattern: IN_ONE_SPELLING });

const base = {
  eventId: id,
  occurredAt: rfc3339Utc,
  merchantId: id,
};

export const MerchantEvent = z.object({
  type: z.literal("merchant"),
  ...base,
  acquirerId: id,
  legalName: z.string().max(512, `longer than 512 characters, ${BOUND}`).optional(),
  descriptor: text(256),
  mcc: z.string().regex(/^\d{4}$/, "expected a 4-digit MCC"),
  country,
  websites: list(url, 256).optional(),
  principals: list(hash, 64).optional(),
  contactEmail: hash.optional(),
  payoutAccount: hash.optional(),
  // Extension (optional): payout wallet addresses, so wallet indicators can match.
  wallets: list(text(256), 64).optional(),
  infrastructure: z
    .object({
      ips: list(ip, 256).optional(),
      analyticsIds: list(text(128), 256).optional(),
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
  descriptor: text(256).optional(),
  card: z
    .object({
      token: hash.optional(),
      bin: z.string().regex(/^\d{6,8}$/, `expected a BIN of 6 to 8 digits, ${BOUND}`).optional(),
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
  network,
  reasonCode: text(16),
  kind: z.enum(["dispute", "fraud_report"]),
  amountMinor: z.number().int().nonnegative(),
  currency,
});

export const SiteObservationEvent = z.object({
  type: z.literal("site_observation"),
  ...base,
  url,
  linkedUrls: list(url, 1024).optional(),
  contentDiffersByReferrer: z.boolean().optional(),
});

export const Event = z.discriminatedUnion("type", [MerchantEvent, TransactionEvent, ChargebackEvent, SiteObservationEvent]);

export type MerchantEvent = z.infer<typeof MerchantEvent>;
export type TransactionEvent = z.infer<typeof TransactionEvent>;
export type ChargebackEvent = z.infer<typeof ChargebackEvent>;
export type SiteObservationEvent = z.infer<typeof SiteObservationEvent>;
export type Event = z.infer<typeof Event>;
export type EventType = Event["type"];

// Extension (optional): the merchant's URL a url-sha256 or domain-sha256 entry matched (its hash hides what it
// lists), or a url entry matched only other than as written (its canonical form): that URL as the case masks
// addresses, its host and the SHA-256 of its canonical form (which names it among the evidence's addresses, never a
// plain URL beside them), and how it matched when not as written: without the URL's query (a page listed without
// one), with its path's runs of "/" merged, with its path in Unicode NFC; or the merchant's URL whose host is only
// drawn like the name a domain or url entry lists (lookAlike: that name itself was not seen)
export const MatchedAsEvidence = z.object({
  host: z.string(),
  urlSha256: z.string(),
  withoutQuery: z.literal(true).optional(),
  slashesMerged: z.literal(true).optional(),
  nfc: z.literal(true).optional(),
  lookAlike: z.literal(true).optional(),
});

export const IndicatorRef = z.object({
  set: z.string(),
  id: z.string(),
  source: z.string(),
  confidence: z.number().int().min(0).max(100),
  // Extension (optional): the entry's expiry and TLP label, for the reviewer's provenance
  validUntil: rfc3339.optional(),
  tlp: z.string().optional(),
  matchedAs: MatchedAsEvidence.optional(),
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
  /**
   * the event's addresses (a profile's: its websites) an indicator matched when the event was kept, each listed
   * (no lookAlikeOf) or only drawn like the listed names in lookAlikeOf: a domain, or a listed page's host (`page`),
   * never its path; `red` when only TLP:RED entries list that name (case files leave it out); absent when none did
   */
  flagged: z
    .array(z.object({ url: z.string(), lookAlikeOf: z.array(z.object({ name: z.string(), page: z.boolean(), red: z.literal(true).optional() })).optional() }))
    .optional(),
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
export type MatchedAsEvidence = z.infer<typeof MatchedAsEvidence>;
export type Signal = z.infer<typeof Signal>;
export type Alert = z.infer<typeof Alert>;
export type AlertContext = z.infer<typeof AlertContext>;
export type EvidenceEvent = z.infer<typeof EvidenceEvent>;
export type Severity = Alert["severity"];
