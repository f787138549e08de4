// Chargeback ratio, with the card schemes' monitoring programs as configuration, and an early-warning level
// for high-risk MCCs that fires long before a scheme program would (finding these merchants early is the point).
//   vamp:   Visa (fraud reports + disputes) / settled card-not-present Visa sales, this month
//   ecp:    Mastercard chargebacks this month / settled Mastercard sales of the prior month
//   window: all networks, (disputes + fraud reports) / settled card-not-present sales, this and the prior month
// A sale's network is read from its BIN, which the contract leaves optional. Sales without one may be the scheme's,
// so the scheme measures count them in the base: the ratio is then a lower bound, exact when every sale has a BIN,
// and an alert on it holds whatever the unknown networks were. A measure without a base is no ratio: no finding.
import { z } from "zod";
import { defineKind, EVERY_EVENT, noteEvidence, pct, share } from "../kind.js";
import type { Counters, MerchantState } from "../../state/merchant.js";
import type { ChargebackEvent } from "../../decode/events.js";
import { monthIndex } from "../../state/window.js";

const Level = z
  .strictObject({
    name: z.string().min(1),
    ratio: share(),
    minCount: z.number().int().min(1),
    /** optional upper bound on the count, for a level that applies to a band of counts only */
    maxCount: z.number().int().min(1).optional(),
  })
  .refine((l) => l.maxCount === undefined || l.maxCount >= l.minCount, {
    message: "maxCount must be at least minCount, or the level applies to no count at all",
    path: ["maxCount"],
  });

const Params = z.strictObject({
  measure: z.enum(["vamp", "ecp", "window"]),
  levels: z.array(Level).min(1),
  /** only merchants in these MCCs: "high-risk" (the rule set's list) or explicit codes; all when absent */
  mccs: z.union([z.literal("high-risk"), z.array(z.string().regex(/^\d{4}$/))]).optional(),
});

type Measure = z.infer<typeof Params>["measure"];

/** the counted chargebacks' event ids: the evidence */
type Slot = string[];

/**
 * Whether a chargeback is one the measure counts, so only those are evidence: of its network and kind, and of a month
 * it counts (this month for the scheme programs, this or the prior one for the window; a late one may be older).
 */
function counted(kind: Measure, e: ChargebackEvent, at: number, merchant: MerchantState): boolean {
  const network = e.network.toLowerCase();
  const month = monthIndex(at);
  const now = merchant.month?.m;
  if (kind === "vamp") return network === "visa" && month === now;
  if (kind === "ecp") return network === "mastercard" && e.kind === "dispute" && month === now;
  return now !== undefined && month >= now - 1;
}

/** What the window counts of a month: its disputes and fraud reports. */
const windowCount = (c: Counters | undefined): number => (c ? c.disputes + c.fraudReports : 0);

/**
 * measure's answer, one object rewritten by every call and read at once: the rule runs on every event, and arrays made
 * for two months and three counts were most of what it allocated
 */
const measured = { count: 0, base: 0, noBin: 0 };

/** The counted chargebacks, the base, and how many of the base's sales had no BIN. */
function measure(kind: Measure, merchant: MerchantState): typeof measured {
  // the counters move on with sales and chargebacks, the merchant's month with any event (a profile, a crawl): a month
  // the counters have not reached holds nothing yet
  const now = monthIndex(merchant.lastEventAt);
  const cur = monthOf(merchant, now);
  const prev = monthOf(merchant, now - 1);
  const out = measured;
  if (kind === "vamp") {
    out.count = cur ? cur.chargebacksVisa : 0;
    out.base = cur ? cur.settledCnpVisa + cur.settledCnpNoBin : 0;
    out.noBin = cur ? cur.settledCnpNoBin : 0;
  } else if (kind === "ecp") {
    out.count = cur ? cur.disputesMc : 0;
    out.base = cur ? (prev?.settledMc ?? 0) + (prev?.settledNoBin ?? 0) : 0;
    out.noBin = cur ? (prev?.settledNoBin ?? 0) : 0;
  } else {
    out.count = windowCount(cur) + windowCount(prev);
    out.base = (cur?.settledCnp ?? 0) + (prev?.settledCnp ?? 0);
    out.noBin = 0;
  }
  return out;
}

/** The merchant's counters of month `m`, if they reach it. */
function monthOf(merchant: MerchantState, m: number): Counters | undefined {
  return merchant.month?.m === m ? merchant.month : merchant.prevMonth?.m === m ? merchant.prevMonth : undefined;
}

/** The counters of the merchant's month (of its latest event) and the one before, where they reach them. */
function months(merchant: MerchantState): [cur: Counters | undefined, prev: Counters | undefined] {
  const now = monthIndex(merchant.lastEventAt);
  return [monthOf(merchant, now), monthOf(merchant, now - 1)];
}

/** What the counts are, in words, per measure; the window's by month too, so a reviewer tells one bad month from two. */
function describe(kind: Measure, count: number, base: number, noBin: number, merchant: MerchantState): string {
  const unknown = noBin ? ` (${noBin} of them without a BIN, counted as possibly ${kind === "vamp" ? "Visa" : "Mastercard"}: the ratio is at least this)` : "";
  if (kind === "vamp") return `${count} Visa disputes and fraud reports this month over ${base} settled card-not-present Visa sales this month${unknown}`;
  if (kind === "ecp") return `${count} Mastercard disputes this month over ${base} settled Mastercard sales last month${unknown}`;
  const [cur, prev] = months(merchant);
  const of = (c: Counters | undefined) => `${windowCount(c)} over ${c?.settledCnp ?? 0}`;
  return `${count} disputes and fraud reports over ${base} settled card-not-present sales, this month and last (this month ${of(cur)}, last month ${of(prev)})`;
}

/** Each measure as a reviewer reads it, and what it counts: the rules file's words (vamp, window) say nothing to one. */
const MEASURE_WORDS: Record<Measure, string> = {
  vamp: "Visa Acquirer Monitoring Program measure",
  ecp: "Mastercard Excessive Chargeback Program measure",
  window: "all card networks, this month and last",
};
const COUNTED: Record<Measure, string> = { vamp: "Visa disputes and fraud reports", ecp: "Mastercard disputes", window: "disputes and fraud reports" };

/** Above this a chargeback ratio is most likely a percentage written as a share (0.8 meant as 0.8%): scheme programs start near 0.01. */
const DOUBTFUL_RATIO = 0.1;

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "chargeback-ratio",
  summary: "dispute/fraud ratio against scheme programs (Visa VAMP, Mastercard ECP) or an early-warning level",
  params: Params,
  // every event: a month the measure has left withdraws its finding at the merchant's next event, whatever it is
  on: EVERY_EVENT,
  reads: (p) => (p.mccs === "high-risk" ? ["highRiskMccs"] : []),
  doubts: (p) =>
    p.levels.flatMap((l, i) =>
      l.ratio > DOUBTFUL_RATIO
        ? [{ path: ["levels", i, "ratio"], message: `${l.ratio} is ${pct(l.ratio)} of the sales: a chargeback ratio is a share: 0.008 is 0.8%; a ratio above ${DOUBTFUL_RATIO} (${DOUBTFUL_RATIO * 100}%) is most likely a percentage written as a share` }]
        : [],
    ),
  evaluate(input) {
    const { event, at, merchant, params, env } = input;
    const mcc = merchant.profile?.mcc;
    if (params.mccs === "high-risk" ? !mcc || !env.highRiskMccs.has(mcc) : params.mccs && (!mcc || !params.mccs.includes(mcc)))
      return null;
    if (event.type === "chargeback" && counted(params.measure, event, at, merchant)) noteEvidence(input, (input.slot ??= []), 5);
    const { count, base, noBin } = measure(params.measure, merchant);
    if (count === 0) {
      // the counted chargebacks have left the window: so does their evidence
      input.slot = undefined;
      return null;
    }
    // fewer counted than cited: the oldest cited are of a month the count has left
    if (input.slot && input.slot.length > count) input.slot.splice(0, input.slot.length - count);
    // chargebacks over no sales in the measure's months are no ratio (a new merchant, or one that sends no
    // settlements): 100% would be made up
    if (base === 0) return null;
    const ratio = count / base;
    // the highest level that holds: programs' levels nest (ECM from 1.5% and 100, HECM from 3% and 300)
    let hit: z.infer<typeof Level> | undefined;
    for (const l of params.levels)
      if (count >= l.minCount && (l.maxCount === undefined || count <= l.maxCount) && ratio >= l.ratio) {
        if (!hit || l.ratio > hit.ratio) hit = l;
      }
    if (!hit) return null;
    return {
      value: ratio,
      threshold: hit.ratio,
      eventIds: [...(input.slot ?? [])],
      // the count the level needs, beside its ratio (which the explanation gives as the threshold)
      detail: `${hit.name}: ${describe(params.measure, count, base, noBin, merchant)}; the level needs ${hit.maxCount === undefined ? `at least ${hit.minCount}` : `${hit.minCount} to ${hit.maxCount}`}`,
    };
  },
  // the detail ends in the count the level needs: what it counts follows it
  explain: (f, p) => `chargeback ratio ${pct(f.value)} at or above ${pct(f.threshold)} (${MEASURE_WORDS[p.measure]}; ${f.detail ?? ""} ${COUNTED[p.measure]})`,
});
