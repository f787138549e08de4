// Chargeback ratio, with the card schemes' monitoring programs as configuration, and an early-warning level
// for high-risk MCCs that fires long before a scheme program would (finding these merchants early is the point).
//   vamp:   Visa (fraud reports + disputes) / settled card-not-present Visa sales, this month
//   ecp:    Mastercard chargebacks this month / settled Mastercard sales of the prior month
//   window: all networks, (disputes + fraud reports) / settled card-not-present sales, this and the prior month
import { z } from "zod";
import { defineKind, noteEvidence, pct } from "../kind.js";
import type { MerchantState } from "../../state/merchant.js";
import type { ChargebackEvent } from "../../decode/events.js";

const Level = z.strictObject({
  name: z.string().min(1),
  ratio: z.number().gt(0).max(1),
  minCount: z.number().int().min(1),
  /** optional upper bound on the count, for programs with count bands (ECP 100-299 at 1.5%) */
  maxCount: z.number().int().min(1).optional(),
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

/** Whether a chargeback is one the measure counts, so only those are evidence. */
function counted(kind: Measure, e: ChargebackEvent): boolean {
  const network = e.network.toLowerCase();
  if (kind === "vamp") return network === "visa";
  if (kind === "ecp") return network === "mastercard" && e.kind === "dispute";
  return true;
}

function measure(kind: Measure, merchant: MerchantState): [count: number, base: number] {
  const prev = merchant.prevMonth;
  const cur = merchant.month;
  if (!cur || !prev) return [0, 0];
  if (kind === "vamp") return [cur.chargebacksVisa, cur.settledCnpVisa];
  if (kind === "ecp") return [cur.disputesMc, prev.settledMc];
  return [cur.disputes + cur.fraudReports + prev.disputes + prev.fraudReports, cur.settledCnp + prev.settledCnp];
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "chargeback-ratio",
  summary: "dispute/fraud ratio against scheme programs (Visa VAMP, Mastercard ECP) or an early-warning level",
  params: Params,
  on: ["transaction", "chargeback"],
  evaluate(input) {
    const { event, merchant, params, env } = input;
    if (event.type === "transaction" && event.status !== "settled") return undefined;
    const mcc = merchant.profile?.mcc;
    if (params.mccs === "high-risk" ? !mcc || !env.highRiskMccs.has(mcc) : params.mccs && (!mcc || !params.mccs.includes(mcc)))
      return null;
    if (event.type === "chargeback" && counted(params.measure, event)) noteEvidence(input, (input.slot ??= []), 5);
    const [count, base] = measure(params.measure, merchant);
    if (count === 0) {
      // the counted chargebacks have left the window: so does their evidence
      input.slot = undefined;
      return null;
    }
    const ratio = base > 0 ? count / base : 1;
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
      detail: `${hit.name}: ${count} disputes/fraud reports over ${base} settled sales`,
    };
  },
  explain: (f, p) =>
    `chargeback ratio ${pct(f.value)} at or above ${pct(f.threshold)} (${p.measure}; ${f.detail ?? ""})`,
});
