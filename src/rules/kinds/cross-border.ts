// Cross-border mix: most cards come from countries other than the merchant's. A local shop with a foreign
// clientele is often a front for a site that sells abroad.
import { z } from "zod";
import { defineKind, keep, pct } from "../kind.js";
import { bucketFor, monthIndex, storedPair, windowShare, type MonthBucket, type MonthPair } from "../../state/window.js";

const Params = z.strictObject({
  threshold: z.number().gt(0).max(1),
  minTransactions: z.number().int().min(1),
});

interface Bucket extends MonthBucket {
  cards: number;
  foreign: number;
}
interface Slot extends MonthPair<Bucket> {
  lastEventId?: string;
}
const fresh = (m: number): Bucket => ({ m, cards: 0, foreign: 0 });
const freshSlot = (): Slot => ({});

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "cross-border",
  summary: "share of cards issued outside the merchant's country, with a minimum volume",
  params: Params,
  on: ["transaction"],
  evaluate(input) {
    const { event, at, merchant, params } = input;
    const country = event.type === "transaction" ? event.card?.country : undefined;
    const home = merchant.profile?.country;
    if (!country || !home) return undefined;
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), fresh);
    if (!b) return undefined;
    b.cards++;
    if (country !== home) {
      b.foreign++;
      slot.lastEventId = event.eventId;
    }
    const w = windowShare(slot, (x) => x.foreign, (x) => x.cards, params.minTransactions, params.threshold);
    if (!w) return null;
    return {
      value: w.share,
      threshold: params.threshold,
      eventIds: slot.lastEventId ? [slot.lastEventId] : [],
      detail: `${w.part} of ${w.total} cards foreign to ${home}`,
    };
  },
  explain: (f, p) => `${pct(f.value)} of cards are foreign (threshold ${pct(p.threshold)}, ${f.detail ?? ""})`,
  restore: (stored) => storedPair(stored as Slot),
});
