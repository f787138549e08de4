// What a reviewer needs to see beside the signals, kept bounded in merchant state so that an alert can carry it
// ("enough evidence to act without querying raw data"): the details of the events rules kept as evidence, and a
// short daily series of sales and chargebacks for the case page's chart.
import type { Event, EvidenceEvent } from "../decode/events.js";
import { markLookAlike, type IndicatorIndex } from "../indicators/index.js";
import { dayIndex } from "./window.js";
import { hasSettlements, type MerchantState } from "./merchant.js";

/** Events whose details a merchant keeps (the most recent rule evidence). */
export const EVIDENCE_CAP = 10;
/** Days of activity a merchant keeps, counted back from its latest event. */
export const ACTIVITY_DAYS = 35;
/** Linked URLs kept from one crawl: the flagged ones first. */
const LINKED_CAP = 8;


/** One day of activity: [day index since 1970-01-01, sales, sales amount in minor units, chargebacks]. */
export type ActivityDay = [number, number, number, number];
/**
 * The days of activity laid end to end in one array, oldest first: 4 numbers per day, as in ActivityDay. One
 * array per merchant, not one per day: a merchant keeps up to 35 days, and each small array is an object more
 * to reach on every sale and to trace on every collection.
 */
export type Activity = number[];
const DAY_WIDTH = 4;

/** A merchant's activity as days. */
export function activityDays(a: Activity | undefined): ActivityDay[] {
  const out: ActivityDay[] = [];
  if (a) for (let i = 0; i < a.length; i += DAY_WIDTH) out.push([a[i]!, a[i + 1]!, a[i + 2]!, a[i + 3]!]);
  return out;
}

/** Activity as stored: laid end to end, or as days by checkpoints written before it was. */
export function storedActivity(a: Activity | ActivityDay[] | undefined): Activity | undefined {
  return a && a.length && Array.isArray(a[0]) ? (a as ActivityDay[]).flat() : (a as Activity | undefined);
}

type Flagged = NonNullable<EvidenceEvent["flagged"]>[number];

/**
 * An address as an indicator matches it at `at`: listed, or only drawn like listed names (flagged-site-link's
 * look-alikes), each name once; null when neither.
 */
function flagOf(url: string, indicators: IndicatorIndex, at: number): Flagged | null {
  const matches = indicators.matchesAt(url, at);
  if (matches.listed.length > 0) return { url };
  if (matches.lookAlikes.length === 0) return null;
  const lookAlikeOf: Flagged["lookAlikeOf"] & {} = [];
  for (const { ref, listed } of matches.lookAlikes) {
    const page = ref.kind === "url";
    markLookAlike(lookAlikeOf, (n) => n.name === listed && n.page === page, ref, () => ({ name: listed, page }));
  }
  return { url, lookAlikeOf };
}

/** The `flagged` field of an event's summary for its addresses (each once), absent when none is flagged. */
function flaggedOf(urls: readonly (string | undefined)[], flag: (url: string) => Flagged | null): Flagged[] | undefined {
  let flagged: Flagged[] | undefined;
  for (let i = 0; i < urls.length; i++) {
    const url = urls[i];
    // the first of equal addresses only (a list of two or a crawl's few: no set made for it)
    if (url === undefined || urls.indexOf(url) < i) continue;
    const f = flag(url);
    if (f) (flagged ??= []).push(f);
  }
  return flagged;
}

/** The summary with its addresses' `flagged` field last, when any is flagged. */
function withFlagged(summary: EvidenceEvent, flagged: Flagged[] | undefined): EvidenceEvent {
  if (flagged) summary.flagged = flagged;
  return summary;
}

// A summary is made for every event a signal cites: written as literals, not spread from a shared part (a spread builds
// the object a property at a time), in the order the fields are written out.
export function summariseEvent(e: Event, indicators: IndicatorIndex, at: number): EvidenceEvent {
  const flag = (url: string) => flagOf(url, indicators, at);
  switch (e.type) {
    case "transaction": {
      const checkoutUrl = e.checkout?.url;
      const referrerUrl = e.checkout?.referrerUrl;
      return withFlagged(
        {
          eventId: e.eventId,
          type: e.type,
          occurredAt: e.occurredAt,
          transactionId: e.transactionId,
          amountMinor: e.amountMinor,
          currency: e.currency,
          status: e.status,
          channel: e.channel,
          recurring: e.recurring,
          cardCountry: e.card?.country,
          descriptor: e.descriptor,
          checkoutUrl,
          referrerUrl,
        },
        flaggedOf([checkoutUrl, referrerUrl], flag),
      );
    }
    case "chargeback":
      return { eventId: e.eventId, type: e.type, occurredAt: e.occurredAt, transactionId: e.transactionId, amountMinor: e.amountMinor, currency: e.currency, network: e.network, reasonCode: e.reasonCode, kind: e.kind };
    case "site_observation": {
      const linked = e.linkedUrls ?? [];
      // each address looked up once: to keep the flagged ones first, then for their marks
      const flags = new Map<string, Flagged | null>();
      const flagOnce = (u: string): Flagged | null => {
        let f = flags.get(u);
        if (f === undefined) flags.set(u, (f = flag(u)));
        return f;
      };
      // listed or a look-alike of a listed name
      const first = linked.filter((u) => flagOnce(u) !== null);
      const kept = [...first, ...linked.filter((u) => !first.includes(u))].slice(0, LINKED_CAP);
      return withFlagged(
        {
          eventId: e.eventId,
          type: e.type,
          occurredAt: e.occurredAt,
          url: e.url,
          linkedUrls: kept,
          linkedCount: linked.length,
          contentDiffersByReferrer: e.contentDiffersByReferrer,
        },
        flaggedOf([e.url, ...kept], flagOnce),
      );
    }
    case "merchant":
      // its flagged websites are its addresses (the profile lists them all)
      return withFlagged({ eventId: e.eventId, type: e.type, occurredAt: e.occurredAt, descriptor: e.descriptor }, flaggedOf(e.websites ?? [], flag));
  }
}

/** Keeps an event's details as evidence, replacing the oldest beyond the cap. */
export function keepEvidence(m: MerchantState, summary: EvidenceEvent): void {
  const list = (m.evidence ??= []);
  if (list.some((x) => x.eventId === summary.eventId)) return;
  list.push(summary);
  if (list.length > EVIDENCE_CAP) list.shift();
}

/**
 * Counts a sale or a chargeback in the merchant's daily series, after the merchant's counters took the event. A sale
 * counts once, as hasSettlements says: by its settlement, or by its authorisation while the merchant's window holds
 * no settlement; declines and refunds are not sales.
 */
export function countActivity(m: MerchantState, e: Event, at: number): void {
  let sale = 0;
  let amount = 0;
  let chargeback = 0;
  if (e.type === "transaction") {
    if (e.status !== "settled" && (e.status !== "authorized" || hasSettlements(m))) return;
    sale = 1;
    amount = e.amountMinor;
  } else if (e.type === "chargeback") chargeback = 1;
  else return;
  const day = dayIndex(at);
  const days = (m.activity ??= []);
  const n = days.length;
  if (n === 0 || day > days[n - DAY_WIDTH]!) {
    days.push(day, sale, amount, chargeback);
    let gone = 0;
    while (days[gone]! <= day - ACTIVITY_DAYS) gone += DAY_WIDTH;
    if (gone) days.splice(0, gone);
    return;
  }
  // late event: count it on its own day if that day is still in the series
  if (day <= days[n - DAY_WIDTH]! - ACTIVITY_DAYS) return;
  let i = n - DAY_WIDTH;
  while (i >= 0 && days[i]! > day) i -= DAY_WIDTH;
  if (i >= 0 && days[i] === day) {
    days[i + 1]! += sale;
    days[i + 2]! += amount;
    days[i + 3]! += chargeback;
  } else days.splice(i + DAY_WIDTH, 0, day, sale, amount, chargeback);
}
