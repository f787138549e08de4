// Per-merchant state in event time: the latest profile, monthly counters and each rule's own slot.
// Bounded (two month buckets, capped lists) and plain JSON, so it can be persisted and restored as is.
import type { MerchantEvent, TransactionEvent, ChargebackEvent, EvidenceEvent, IndicatorRef } from "../decode/events.js";
import type { Activity } from "./evidence.js";
import type { SeenIds } from "./seen.js";
import { bucketFor, monthIndex, type MonthBucket, type MonthPair } from "./window.js";
import { registrableDomain, urlHost } from "../lib/url.js";
import { canonicalIp } from "../lib/ip.js";

export type Network = "visa" | "mastercard" | "other";

export interface Counters extends MonthBucket {
  /** every settled sale: whether the merchant's processor sends settlements at all (hasSettlements) */
  settled: number;
  settledCnp: number;
  settledCnpVisa: number;
  settledMc: number;
  /** settled sales without a BIN, whose network is unknown: the scheme ratios count them as possibly the scheme's */
  settledNoBin: number;
  settledCnpNoBin: number;
  disputes: number;
  fraudReports: number;
  disputesMc: number;
  chargebacksVisa: number;
}

export interface Profile {
  eventId: string;
  /** its event's occurredAt, epoch ms (absent in a profile checkpointed before it was kept: any profile replaces that) */
  at?: number;
  acquirerId: string;
  legalName?: string;
  descriptor: string;
  mcc: string;
  country: string;
  websites: string[];
  /** Registrable domains of the websites: what the merchant disclosed. */
  domains: string[];
  principals: string[];
  contactEmail?: string;
  payoutAccount?: string;
  wallets: string[];
  ips: string[];
  analyticsIds: string[];
}

export interface ActiveSignal {
  value: number;
  threshold: number;
  strength: number;
  critical: boolean;
  eventIds: string[];
  indicators: IndicatorRef[];
  detail?: string;
  since: string;
}

export interface LastAlert {
  alertId: string;
  at: string;
  score: number;
  severity: string;
  rules: string[];
  indicators: string[];
}

/** The merchant's monthly counters are its own window (MonthPair): `month` and `prevMonth`; its recent event ids (SeenIds). */
export interface MerchantState extends MonthPair<Counters>, SeenIds {
  id: string;
  profile?: Profile;
  lastEventAt: number;
  /** Each rule's own per-merchant state, by the rule's index in the set; created only when a rule needs it. */
  slots: unknown[];
  signals: Record<string, ActiveSignal>;
  lastAlert?: LastAlert;
  /** Alerted for a reason other than shared infrastructure: a one-hop source for that rule. */
  flagged?: boolean;
  /**
   * the event that flagged it on its own evidence (absent when its account was closed, and in a checkpoint written
   * before it was kept): a flag restored from a checkpoint counts from that event's time on (run)
   */
  flaggedBy?: { eventId: string; occurredAt: string };
  /** details of the latest events a rule kept as evidence (src/state/evidence.ts) */
  evidence?: EvidenceEvent[];
  /** recent daily sales and chargebacks, for the reviewer's chart */
  activity?: Activity;
  /** the fingerprint of the indicator sets the merchant was last checked against (IndicatorIndex.fingerprint) */
  indicatorsSeen?: number;
  /** epoch ms: the earliest expiry among the indicators its signals cite */
  indicatorsExpire?: number;
}

/** State as persisted: slots by rule id, so a changed rule set finds each rule's own; the recent ids packed (seen.ts). */
export type StoredMerchant = Omit<MerchantState, "slots" | keyof SeenIds> & {
  slots: Record<string, unknown>;
  seenTx?: string;
  seenOther?: string;
  /**
   * epoch ms: when it took the keys its profile holds, where a later profile kept them (InfraIndex.heldSince, run
   * only); absent when that is the profile's own time, as in a checkpoint written before this field
   */
  keysSince?: number;
  /**
   * the profiles before its latest since keysSince, [epoch ms, event id], oldest first (InfraIndex.keptOf): which one a
   * late flag's finding cites; absent in a checkpoint written before them
   */
  keptProfiles?: [number, string][];
};

export function newMerchant(id: string): MerchantState {
  return { id, lastEventAt: 0, slots: [], signals: {} };
}

function freshCounters(m: number): Counters {
  return {
    m,
    settled: 0,
    settledCnp: 0,
    settledCnpVisa: 0,
    settledMc: 0,
    settledNoBin: 0,
    settledCnpNoBin: 0,
    disputes: 0,
    fraudReports: 0,
    disputesMc: 0,
    chargebacksVisa: 0,
  };
}

export function countersFor(state: MerchantState, at: number): Counters | null {
  return bucketFor(state, monthIndex(at), monthIndex(state.lastEventAt), freshCounters);
}

/** Month counters as stored, perhaps before the settled and no-BIN counts: those count from zero. */
export function storedCounters(b: Counters | undefined): Counters | undefined {
  return b && { ...b, settled: b.settled ?? 0, settledNoBin: b.settledNoBin ?? 0, settledCnpNoBin: b.settledCnpNoBin ?? 0 };
}

/** Card network from a BIN (Visa 4…, Mastercard 51–55 and 2221–2720). */
export function networkOfBin(bin: string | undefined): Network {
  if (!bin) return "other";
  if (bin.charCodeAt(0) === 52) return "visa";
  const two = Number(bin.slice(0, 2));
  if (two >= 51 && two <= 55) return "mastercard";
  const four = Number(bin.slice(0, 4));
  return four >= 2221 && four <= 2720 ? "mastercard" : "other";
}

/**
 * The contract's "a later merchant event replaces the profile": later in event time, so a profile event older than the
 * profile held (a producer's retry or a backfill, arriving after a newer one) changes nothing and false is returned;
 * of two of the same time, the one that arrives later is taken.
 */
export function applyProfile(state: MerchantState, e: MerchantEvent, at: number): boolean {
  if (at < (state.profile?.at ?? -Infinity)) return false;
  const websites = e.websites ?? [];
  const domains: string[] = [];
  for (const w of websites) {
    const host = urlHost(w);
    if (!host) continue;
    const d = registrableDomain(host);
    if (!domains.includes(d)) domains.push(d);
  }
  // Each profile event brings new copies of the same strings. The infrastructure index keeps the copy it saw
  // first as its key, so a profile that took the new copy would hold a second one per key, for every merchant
  // ever updated: memory that grows while the population stays the same.
  const was = state.profile;
  state.profile = {
    eventId: e.eventId,
    at,
    acquirerId: e.acquirerId,
    legalName: e.legalName,
    descriptor: e.descriptor,
    mcc: e.mcc,
    country: e.country,
    websites: same(was?.websites, websites),
    domains: same(was?.domains, domains),
    principals: same(was?.principals, e.principals),
    contactEmail: e.contactEmail === was?.contactEmail ? was?.contactEmail : e.contactEmail,
    payoutAccount: e.payoutAccount === was?.payoutAccount ? was?.payoutAccount : e.payoutAccount,
    wallets: same(was?.wallets, e.wallets),
    ips: same(was?.ips, e.infrastructure?.ips),
    analyticsIds: same(was?.analyticsIds, e.infrastructure?.analyticsIds),
  };
  return true;
}

/** A profile as checkpointed: its addresses, written as their events had them before they were decoded in one spelling, in that spelling. */
export function storedProfile(p: Profile | undefined): Profile | undefined {
  if (!p) return p;
  const ips = p.ips.map(canonicalIp);
  return ips.every((ip, i) => ip === p.ips[i]) ? p : { ...p, ips };
}

// An empty list (no wallets, say) is this one shared array, not an array per merchant: objects per merchant are what
// the collector traces. Frozen: a push would throw rather than reach every merchant.
const EMPTY = Object.freeze([]) as unknown as string[];

/** The list held before when the new one equals it; else the new one, with the strings it shares taken from before. */
function same(before: string[] | undefined, given: string[] | undefined): string[] {
  const after = given?.length ? given : EMPTY;
  if (!before) return after;
  if (before.length === after.length && after.every((v, i) => v === before[i])) return before;
  return after.map((v) => before.find((b) => b === v) ?? v);
}

export function applyTransaction(state: MerchantState, e: TransactionEvent, at: number): void {
  const c = countersFor(state, at);
  if (!c) return;
  if (e.status !== "settled") return;
  c.settled++;
  const bin = e.card?.bin;
  const cnp = e.channel !== "pos";
  if (!bin) {
    c.settledNoBin++;
    if (cnp) c.settledCnpNoBin++;
  }
  const network = networkOfBin(bin);
  if (network === "mastercard") c.settledMc++;
  if (cnp) {
    c.settledCnp++;
    if (network === "visa") c.settledCnpVisa++;
  }
}

/**
 * How transactions count as sales. The contract's transaction is "an authorisation or settlement", so one sale may
 * come twice (authorized, then settled, under one transactionId), or once either way. A sale counts once whatever a
 * processor sends: by its settlement, and by its authorisation only where the two-month window holds no settlement
 * at all (a processor that sends authorisations only). Declines and refunds are not sales. The rules that count sales
 * keep settlements and authorisations apart and read the settlements when there are any, which is exact; the daily
 * activity asks this instead, so a merchant's first authorisations, before its first settlement, count as well.
 */
export function hasSettlements(state: MerchantState): boolean {
  return state.month !== undefined && state.month.settled + state.prevMonth!.settled > 0;
}

export function applyChargeback(state: MerchantState, e: ChargebackEvent, at: number): void {
  const c = countersFor(state, at);
  if (!c) return;
  const network = e.network.toLowerCase();
  if (e.kind === "dispute") {
    c.disputes++;
    if (network === "mastercard") c.disputesMc++;
  } else c.fraudReports++;
  if (network === "visa") c.chargebacksVisa++;
}
