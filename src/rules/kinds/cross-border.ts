// Cross-border mix: most sales are on cards issued outside the merchant's country. A local shop with a foreign
// clientele is often a front for a site that sells abroad. Counts sales, each once (hasSettlements in
// state/merchant.ts): settled ones, or authorised ones where the window holds no settlement; declines and refunds
// are not sales. Over this and the prior calendar month.
import { z } from "zod";
import { defineKind, EVERY_EVENT, keep, pct, rollWindow, share, type Finding } from "../kind.js";
import { bucketFor, monthIndex, saleShare, storedPair, type Counted, type MonthBucket, type MonthPair } from "../../state/window.js";
import type { MerchantState } from "../../state/merchant.js";

const Params = z.strictObject({
  threshold: share(),
  /** sales with a card country needed in the window before the share means anything */
  minTransactions: z.number().int().min(1),
});

interface Bucket extends MonthBucket {
  /** settled sales with a card country, and those of them on a foreign card */
  sales: number;
  foreign: number;
  /** the same of authorisations */
  authSales: number;
  authForeign: number;
}
interface Slot extends MonthPair<Bucket> {
  lastEventId?: string;
}
const fresh = (m: number): Bucket => ({ m, sales: 0, foreign: 0, authSales: 0, authForeign: 0 });
const freshSlot = (): Slot => ({});
const SETTLED: Counted<Bucket> = { part: (x) => x.foreign, total: (x) => x.sales };
const AUTHORISED: Counted<Bucket> = { part: (x) => x.authForeign, total: (x) => x.authSales };

/** A bucket as stored, perhaps before sales and authorisations were told apart (`cards`: every transaction). */
type StoredBucket = Partial<Bucket> & MonthBucket & { cards?: number };
const storedBucket = (b: StoredBucket | undefined): Bucket | undefined =>
  b && { m: b.m, sales: b.sales ?? b.cards ?? 0, foreign: b.foreign ?? 0, authSales: b.authSales ?? 0, authForeign: b.authForeign ?? 0 };

/** The share over the window, against the merchant's country `home`; null below the minimum or the threshold. */
function finding(slot: Slot, params: z.infer<typeof Params>, home: string | undefined): Finding | null {
  const w = saleShare(slot, SETTLED, AUTHORISED, params.minTransactions, params.threshold);
  if (!w) return null;
  return {
    value: w.share,
    threshold: params.threshold,
    eventIds: slot.lastEventId ? [slot.lastEventId] : [],
    detail: `${w.part} of ${w.total} ${w.settled ? "settled" : "authorised"} sales on cards issued outside ${home}`,
  };
}

const sales = (x: Bucket): number => x.sales + x.authSales;
const rolled = (slot: Slot, input: { params: z.infer<typeof Params>; merchant: MerchantState }): Finding | null =>
  finding(slot, input.params, input.merchant.profile?.country);

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "cross-border",
  summary: "share of sales (each counted once) on cards issued outside the merchant's country, with a minimum volume",
  params: Params,
  // every event moves the merchant's window on, those it does not count too
  on: EVERY_EVENT,
  evaluate(input) {
    const { event, at, merchant, params } = input;
    const sale = event.type === "transaction" && (event.status === "settled" || event.status === "authorized") ? event : undefined;
    const country = sale?.card?.country;
    const home = merchant.profile?.country;
    if (!sale || !country || !home) {
      return rollWindow(input, fresh, sales, rolled);
    }
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), monthIndex(merchant.lastEventAt), fresh);
    if (!b) return undefined;
    const foreign = country !== home;
    if (sale.status === "settled") {
      b.sales++;
      if (foreign) b.foreign++;
    } else {
      b.authSales++;
      if (foreign) b.authForeign++;
    }
    if (foreign) slot.lastEventId = sale.eventId;
    return finding(slot, params, home);
  },
  explain: (f, p) => `${pct(f.value)} of sales this month and last are on foreign cards (threshold ${pct(p.threshold)} with at least ${p.minTransactions} sales; ${f.detail ?? ""})`,
  restore(stored) {
    const slot = storedPair(stored as Slot);
    return { ...slot, month: storedBucket(slot.month), prevMonth: storedBucket(slot.prevMonth) };
  },
});
