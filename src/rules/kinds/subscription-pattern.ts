// Subscription price pattern: in a high-risk MCC, most card-not-present sales are recurring and priced in a
// narrow low band — the shape of a membership site's billing. Common in legitimate businesses too, so its
// weight is small: it adds to other evidence. Counts settled sales, over this and the prior calendar month.
import { z } from "zod";
import { defineKind, EVERY_EVENT, keep, noteEvidence, pct, rollWindow, share, type Finding } from "../kind.js";
import { Currencies, amountBandText, inCurrencies, wholeUnitsDoubt } from "../currencies.js";
import { bucketFor, monthIndex, storedPair, windowShare, type MonthBucket, type MonthPair } from "../../state/window.js";

const Params = z
  .strictObject({
    /** the band, inclusive, in minor units of the sale's currency */
    minMinor: z.number().int().min(0),
    maxMinor: z.number().int().min(1),
    /** the currencies the band was set for: a sale in another is never in the band */
    currencies: Currencies,
    threshold: share(),
    minSales: z.number().int().min(1),
    highRiskOnly: z.boolean().default(true),
  })
  .refine((p) => p.maxMinor > p.minMinor, { message: "maxMinor must be greater than minMinor", path: ["maxMinor"] });

interface Bucket extends MonthBucket {
  sales: number;
  inBand: number;
}
interface Slot extends MonthPair<Bucket> {
  eventIds: string[];
}
const fresh = (m: number): Bucket => ({ m, sales: 0, inBand: 0 });

const freshSlot = (): Slot => ({ eventIds: [] });
const inBand = (x: Bucket): number => x.inBand;
const sales = (x: Bucket): number => x.sales;

function finding(slot: Slot, params: z.infer<typeof Params>): Finding | null {
  const w = windowShare(slot, inBand, sales, params.minSales, params.threshold);
  return w && { value: w.share, threshold: params.threshold, eventIds: [...slot.eventIds], detail: `${w.part} of ${w.total}` };
}

const rolled = (slot: Slot, input: { params: z.infer<typeof Params> }): Finding | null => finding(slot, input.params);

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "subscription-pattern",
  summary: "share of recurring low-value card-not-present sales (settled) in a price band (high-risk MCCs)",
  params: Params,
  // a profile that leaves the high-risk MCCs withdraws the finding at once; every event moves the window on
  on: EVERY_EVENT,
  reads: (p) => (p.highRiskOnly ? ["highRiskMccs"] : []),
  // no membership is priced under one unit: a top below that is most likely a price written in whole units
  doubts: (p) => wholeUnitsDoubt("maxMinor", p.maxMinor, p.currencies, 1, "a price band whose top is"),
  evaluate(input) {
    const { event, at, merchant, params, env } = input;
    const mcc = merchant.profile?.mcc;
    if (params.highRiskOnly && (!mcc || !env.highRiskMccs.has(mcc))) {
      // no longer in scope: the finding goes, and the counts with it
      if (!input.slot) return undefined;
      input.slot = undefined;
      return null;
    }
    if (event.type !== "transaction" || event.status !== "settled" || event.channel === "pos") {
      return rollWindow(input, fresh, sales, rolled);
    }
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), monthIndex(merchant.lastEventAt), fresh);
    if (!b) return undefined;
    b.sales++;
    if (
      event.recurring &&
      event.amountMinor >= params.minMinor &&
      event.amountMinor <= params.maxMinor &&
      inCurrencies(params.currencies, event.currency)
    ) {
      b.inBand++;
      noteEvidence(input, slot.eventIds, 5);
    }
    return finding(slot, params);
  },
  explain: (f, p) =>
    `${pct(f.value)} of card-not-present sales this month and last are recurring at ${amountBandText(p.minMinor, p.maxMinor, p.currencies)} (threshold ${pct(p.threshold)} with at least ${p.minSales} sales; ${f.detail ?? ""} settled sales)`,
  restore: (stored) => storedPair(stored as Slot),
});
