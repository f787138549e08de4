// Chargeback reason cluster: most disputes say "fraud" or "not recognised" (Visa 10.4, Mastercard 4837, 4863,
// ...). Cardholders who do not recognise a charge are what a disguised descriptor produces.
import { z } from "zod";
import { defineKind, keep, noteEvidence, pct, type Finding } from "../kind.js";
import { bucketFor, monthIndex, storedPair, windowShare, windowSum, type MonthBucket, type MonthPair } from "../../state/window.js";

const Params = z.strictObject({
  reasonCodes: z.array(z.string().min(1)).min(1),
  threshold: z.number().gt(0).max(1),
  minChargebacks: z.number().int().min(1),
});

interface Bucket extends MonthBucket {
  total: number;
  matching: number;
}
interface Slot extends MonthPair<Bucket> {
  eventIds: string[];
}
const fresh = (m: number): Bucket => ({ m, total: 0, matching: 0 });

const freshSlot = (): Slot => ({ eventIds: [] });

function finding(slot: Slot, params: z.infer<typeof Params>): Finding | null {
  const w = windowShare(slot, (x) => x.matching, (x) => x.total, params.minChargebacks, params.threshold);
  if (!w) return null;
  return {
    value: w.share,
    threshold: params.threshold,
    eventIds: [...slot.eventIds],
    detail: `${w.part} of ${w.total} chargebacks`,
  };
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "reason-cluster",
  summary: "share of chargebacks with fraud / not-recognised reason codes",
  params: Params,
  // sales move the window forward, so chargebacks that left it stop counting (and their memory goes)
  on: ["chargeback", "transaction"],
  evaluate(input) {
    const { event, at, merchant, params } = input;
    const now = monthIndex(merchant.lastEventAt);
    if (event.type !== "chargeback") {
      const slot = input.slot;
      if (!slot || now <= slot.month!.m) return undefined;
      bucketFor(slot, now, now, fresh);
      if (windowSum(slot, (x) => x.total) > 0) return finding(slot, params);
      input.slot = undefined;
      return null;
    }
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), now, fresh);
    if (!b) return undefined;
    b.total++;
    if (params.reasonCodes.includes(event.reasonCode)) {
      b.matching++;
      noteEvidence(input, slot.eventIds, 5);
    }
    return finding(slot, params);
  },
  explain: (f, p) =>
    `${pct(f.value)} of chargebacks carry fraud/not-recognised reason codes (threshold ${pct(p.threshold)}, ${f.detail ?? ""})`,
  restore: (stored) => storedPair(stored as Slot),
});
