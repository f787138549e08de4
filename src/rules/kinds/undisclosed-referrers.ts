// Hidden merchant / transaction laundering: many checkouts arrive from sites the merchant never disclosed,
// concentrated on a few of them. Affiliates and search engines spread thin; a hidden shop behind a front
// site sends most of the money. Counts over the current and previous calendar month.
import { z } from "zod";
import { defineKind, keep, noteEvidence, pct } from "../kind.js";
import { bucketFor, monthIndex, storedPair, windowShare, type MonthBucket, type MonthPair } from "../../state/window.js";
import { registrableDomain, urlHost } from "../../lib/url.js";

const Params = z.strictObject({
  /** share of checkouts referred from undisclosed domains that fires the rule */
  threshold: z.number().gt(0).max(1),
  /** checkouts needed in the window before the share means anything */
  minCheckouts: z.number().int().min(1),
  /** the top N undisclosed domains must carry at least `concentration` of the undisclosed referrals */
  topDomains: z.number().int().min(1).max(8).default(3),
  concentration: z.number().gt(0).max(1),
  /** benign referrers: search engines, social networks, the merchant's own payment provider */
  allowReferrers: z.array(z.string().min(1)).default([]),
});

interface Bucket extends MonthBucket {
  checkouts: number;
  undisclosed: number;
  /** space-saving sketch of undisclosed referrer domains: [domain, count, overestimate] */
  top?: [string, number, number][];
}

interface Slot extends MonthPair<Bucket> {
  eventIds?: string[];
}
const freshSlot = (): Slot => ({});

const SKETCH = 8;
const fresh = (m: number): Bucket => ({ m, checkouts: 0, undisclosed: 0 });

function countDomain(top: [string, number, number][], domain: string): void {
  for (const e of top) if (e[0] === domain) return void e[1]++;
  if (top.length < SKETCH) return void top.push([domain, 1, 0]);
  let min = top[0]!;
  for (const e of top) if (e[1] < min[1]) min = e;
  min[2] = min[1];
  min[1]++;
  min[0] = domain;
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "undisclosed-referrers",
  summary: "a large, concentrated share of checkouts is referred from domains the merchant never disclosed",
  params: Params,
  on: ["transaction"],
  evaluate(input) {
    const { event, at, merchant, params } = input;
    if (event.type !== "transaction" || event.channel !== "ecommerce") return undefined;
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), fresh);
    if (!b) return undefined;
    b.checkouts++;
    const ref = event.checkout?.referrerUrl;
    if (ref) {
      const host = urlHost(ref);
      const domain = host ? registrableDomain(host) : null;
      const disclosed = merchant.profile?.domains ?? [];
      if (domain && !disclosed.includes(domain) && !params.allowReferrers.includes(domain)) {
        b.undisclosed++;
        countDomain((b.top ??= []), domain);
        noteEvidence(input, (slot.eventIds ??= []), 5);
      }
    }
    const w = windowShare(slot, (x) => x.undisclosed, (x) => x.checkouts, params.minCheckouts, params.threshold);
    if (!w) return null;
    const { share, part: undisclosed, total: checkouts } = w;
    const byDomain = new Map<string, number>();
    // guaranteed counts (count minus the sketch's overestimate) so thinly spread referrers never look concentrated
    for (const x of [slot.prevMonth, slot.month]) for (const [d, c, over] of x?.top ?? []) byDomain.set(d, (byDomain.get(d) ?? 0) + c - over);
    const ranked = [...byDomain].sort((p, q) => q[1] - p[1]).slice(0, params.topDomains);
    const topShare = ranked.reduce((s, [, c]) => s + c, 0) / undisclosed;
    if (topShare < params.concentration) return null;
    return {
      value: share,
      threshold: params.threshold,
      eventIds: [...(slot.eventIds ?? [])],
      detail: `${undisclosed} of ${checkouts} checkouts; top referrers ${ranked.map(([d]) => d).join(", ")} carry ${pct(topShare)}`,
    };
  },
  explain: (f, p) =>
    `${pct(f.value)} of checkouts referred from undisclosed sites (threshold ${pct(p.threshold)}, at least ${p.minCheckouts} checkouts): ${f.detail ?? ""}`,
  restore: (stored) => storedPair(stored as Slot),
});
