// Hidden merchant / transaction laundering: many checkouts arrive from sites the merchant never disclosed,
// concentrated on a few of them. Affiliates and search engines spread thin; a hidden shop behind a front
// site sends most of the money. Counts over the current and previous calendar month.
// A checkout is an ecommerce sale, counted once (hasSettlements in state/merchant.ts): settled ones, or authorised
// ones where the window holds no settlement; declines and refunds are not sales. The referrer is read from the
// counted events, so a processor that sends both should put it on its settlements too. Sales before the merchant's
// first profile are not counted: what it disclosed is not known yet.
import { z } from "zod";
import { defineKind, EVERY_EVENT, keep, noteEvidence, pct, rollWindow, share, type Finding } from "../kind.js";
import { bucketFor, monthIndex, saleShare, storedPair, windowSum, type Counted, type MonthBucket, type MonthPair } from "../../state/window.js";
import { registrableDomain, urlHost } from "../../lib/url.js";

/**
 * An allow-list entry in the form referrers' hosts are compared in (urlHost: lowercase, punycode, no leading "www." or
 * trailing dot), so "www.search-engine.example" or "bücher.example" allow what they say; a URL is refused, not
 * silently never matched.
 */
const AllowedHost = z
  .string()
  .trim()
  .min(1)
  .transform((d, ctx) => {
    const host = /^[^/:?#@\s]+$/.test(d) ? urlHost(d) : null;
    if (host) return host;
    ctx.addIssue({ code: "custom", message: `"${d}" is not a host name: write it as search-engine.example (it allows that host and its subdomains), with no scheme, path or port` });
    return z.NEVER;
  });

const Params = z.strictObject({
  /** share of checkouts referred from undisclosed domains that fires the rule */
  threshold: share(),
  /** checkouts needed in the window before the share means anything */
  minCheckouts: z.number().int().min(1),
  /** the top N undisclosed domains must carry at least `concentration` of the undisclosed referrals */
  topDomains: z.number().int().min(1).max(8).default(3),
  concentration: share(),
  /** benign referrers: search engines, social networks, the merchant's own payment provider; each with its subdomains */
  allowReferrers: z.array(AllowedHost).default([]),
});

interface Bucket extends MonthBucket {
  /** settled checkouts, and those of them referred from an undisclosed domain */
  checkouts: number;
  undisclosed: number;
  /** the same of authorisations */
  authCheckouts: number;
  authUndisclosed: number;
  /**
   * space-saving sketch of undisclosed referrer domains, settled and authorised alike: [domain, count, overestimate].
   * Only shares are read from it, and a sale counted twice (authorised, then settled) is twice in both parts.
   */
  top?: [string, number, number][];
}

interface Slot extends MonthPair<Bucket> {
  eventIds?: string[];
}
const freshSlot = (): Slot => ({});
const SETTLED: Counted<Bucket> = { part: (x) => x.undisclosed, total: (x) => x.checkouts };
const AUTHORISED: Counted<Bucket> = { part: (x) => x.authUndisclosed, total: (x) => x.authCheckouts };

const SKETCH = 8;
const fresh = (m: number): Bucket => ({ m, checkouts: 0, undisclosed: 0, authCheckouts: 0, authUndisclosed: 0 });

/** A bucket as stored, perhaps before settlements and authorisations were told apart. */
const storedBucket = (b: Bucket | undefined): Bucket | undefined => b && { ...b, authCheckouts: b.authCheckouts ?? 0, authUndisclosed: b.authUndisclosed ?? 0 };

/** The host is an allowed referrer or a subdomain of one (ends with a dot and it: compared in place, no string made). */
const allowed = (host: string, allow: readonly string[]): boolean =>
  allow.some((d) => host === d || (host.length > d.length && host.endsWith(d) && host.charCodeAt(host.length - d.length - 1) === 46));

function countDomain(top: [string, number, number][], domain: string): void {
  for (const e of top) if (e[0] === domain) return void e[1]++;
  if (top.length < SKETCH) return void top.push([domain, 1, 0]);
  let min = top[0]!;
  for (const e of top) if (e[1] < min[1]) min = e;
  min[2] = min[1];
  min[1]++;
  min[0] = domain;
}

/** The share over the window, when its top domains carry enough of it; null otherwise. */
function finding(slot: Slot, params: z.infer<typeof Params>): Finding | null {
  const w = saleShare(slot, SETTLED, AUTHORISED, params.minCheckouts, params.threshold);
  if (!w) return null;
  const { share, part: undisclosed, total: checkouts, settled } = w;
  const byDomain = new Map<string, number>();
  // guaranteed counts (count minus the sketch's overestimate) so thinly spread referrers never look concentrated
  for (const x of [slot.prevMonth, slot.month]) for (const [d, c, over] of x?.top ?? []) byDomain.set(d, (byDomain.get(d) ?? 0) + c - over);
  const ranked = [...byDomain].sort((p, q) => q[1] - p[1]).slice(0, params.topDomains);
  // the sketch holds both kinds of event: its share is of both
  const sketched = windowSum(slot, (x) => x.undisclosed + x.authUndisclosed);
  const topShare = ranked.reduce((s, [, c]) => s + c, 0) / sketched;
  if (topShare < params.concentration) return null;
  return {
    value: share,
    threshold: params.threshold,
    eventIds: [...(slot.eventIds ?? [])],
    detail: `${undisclosed} of ${checkouts} ${settled ? "settled" : "authorised"} checkouts; top referrers ${ranked.map(([d]) => d).join(", ")} carry ${pct(topShare)}`,
  };
}

const checkouts = (x: Bucket): number => x.checkouts + x.authCheckouts;
const rolled = (slot: Slot, input: { params: z.infer<typeof Params> }): Finding | null => finding(slot, input.params);

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "undisclosed-referrers",
  summary: "a large, concentrated share of checkouts (sales, each counted once) is referred from domains the merchant never disclosed",
  params: Params,
  // every event moves the merchant's window on, those it does not count too
  on: EVERY_EVENT,
  evaluate(input) {
    const { event, at, merchant, params } = input;
    const disclosed = merchant.profile?.domains;
    // before its profile the merchant's disclosures are unknown (its own shop would count as never disclosed): a sale
    // then is judged not at all, as cross-border does
    if (!disclosed || event.type !== "transaction" || event.channel !== "ecommerce" || (event.status !== "settled" && event.status !== "authorized")) {
      return rollWindow(input, fresh, checkouts, rolled);
    }
    const settledSale = event.status === "settled";
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), monthIndex(merchant.lastEventAt), fresh);
    if (!b) return undefined;
    if (settledSale) b.checkouts++;
    else b.authCheckouts++;
    const ref = event.checkout?.referrerUrl;
    if (ref) {
      const host = urlHost(ref);
      const domain = host ? registrableDomain(host) : null;
      if (domain && !disclosed.includes(domain) && !allowed(host!, params.allowReferrers)) {
        if (settledSale) b.undisclosed++;
        else b.authUndisclosed++;
        countDomain((b.top ??= []), domain);
        noteEvidence(input, (slot.eventIds ??= []), 5);
      }
    }
    return finding(slot, params);
  },
  explain: (f, p) =>
    `${pct(f.value)} of checkouts this month and last referred from undisclosed sites (threshold ${pct(p.threshold)}, at least ${p.minCheckouts} checkouts): ${f.detail ?? ""} (the top ${p.topDomains} must carry at least ${pct(p.concentration)})`,
  restore(stored) {
    const slot = storedPair(stored as Slot);
    return { ...slot, month: storedBucket(slot.month), prevMonth: storedBucket(slot.prevMonth) };
  },
});
