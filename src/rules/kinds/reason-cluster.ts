// Chargeback reason cluster: most disputes say "fraud" or "not recognised" (Visa 10.4, Mastercard 4837, 4863,
// ...). Cardholders who do not recognise a charge are what a disguised descriptor produces.
import { z } from "zod";
import { defineKind, EVERY_EVENT, keep, noteEvidence, pct, rollWindow, share, type Finding } from "../kind.js";
import { bucketFor, monthIndex, storedPair, windowShare, type MonthBucket, type MonthPair } from "../../state/window.js";

// The networks' reason-code formats. A code in none of them could never match a chargeback: refused, saying how
// each network writes its codes. Codes are compared ignoring case (F24 and f24 are one code), otherwise as sent.
const FORMATS = [
  /^\d{2}\.\d{1,2}$/, // Visa: 10.4 (before 2018: two digits, 83)
  /^\d{2}$/,
  /^\d{4}$/, // Mastercard: 4837; Discover's and UnionPay's numeric codes too
  /^5\d{2}$/, // JCB: 526
  /^(?:[A-Z]\d{2}|FR\d)$/, // American Express: F24, FR2
  /^[A-Z]{2}(?:\d{2})?$/, // Discover, Diners: UA, UA02
];
const FORMATS_TEXT =
  "Visa writes 2 digits, a dot and a digit (10.4; before 2018 2 digits, 83), Mastercard 4 digits (4837), JCB 3 digits from 500 (526), American Express a letter and 2 digits (F24) or FR and a digit, Discover and Diners 2 letters and perhaps 2 digits (UA, UA02)";
const reasonCode = z
  .string()
  .trim()
  .toUpperCase()
  .check((c) => {
    if (FORMATS.some((f) => f.test(c.value))) return;
    // Visa's code without its dot, as some reports print it
    const visa = /^(1[0-3])(\d)$/.exec(c.value);
    const hint = visa ? `: for Visa's write "${visa[1]}.${visa[2]}"` : "";
    c.issues.push({ code: "custom", input: c.value, message: `"${c.value}" is in no card network's reason-code format, so no chargeback could match it${hint}; ${FORMATS_TEXT}` });
  });

const Params = z.strictObject({
  reasonCodes: z.array(reasonCode).min(1),
  threshold: share(),
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
const matching = (x: Bucket): number => x.matching;
const total = (x: Bucket): number => x.total;

function finding(slot: Slot, params: z.infer<typeof Params>): Finding | null {
  const w = windowShare(slot, matching, total, params.minChargebacks, params.threshold);
  if (!w) return null;
  return {
    value: w.share,
    threshold: params.threshold,
    eventIds: [...slot.eventIds],
    detail: `${w.part} of ${w.total} chargebacks`,
  };
}

const rolled = (slot: Slot, input: { params: z.infer<typeof Params> }): Finding | null => finding(slot, input.params);

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "reason-cluster",
  summary: "share of chargebacks with fraud / not-recognised reason codes",
  params: Params,
  // every event moves the window forward (a sale, a profile, a crawl), so chargebacks that left it stop counting
  // (and their memory goes)
  on: EVERY_EVENT,
  evaluate(input) {
    const { event, at, merchant, params } = input;
    const now = monthIndex(merchant.lastEventAt);
    if (event.type !== "chargeback") return rollWindow(input, fresh, total, rolled);
    const slot = keep(input, freshSlot);
    const b = bucketFor(slot, monthIndex(at), now, fresh);
    if (!b) return undefined;
    b.total++;
    if (params.reasonCodes.includes(event.reasonCode.toUpperCase())) {
      b.matching++;
      noteEvidence(input, slot.eventIds, 5);
    }
    return finding(slot, params);
  },
  explain: (f, p) =>
    `${pct(f.value)} of chargebacks this month and last carry fraud/not-recognised reason codes (threshold ${pct(p.threshold)} with at least ${p.minChargebacks} chargebacks; ${f.detail ?? ""})`,
  restore: (stored) => storedPair(stored as Slot),
});
