// High-risk MCC (5967 direct-marketing inbound teleservices, 7273 dating, 4816 computer networks, 5816 digital
// games, 6051 quasi-cash, ...): a factor that raises the weight of other evidence, never an alert on its own.
import { z } from "zod";
import { defineKind, EVERY_EVENT } from "../kind.js";

const Params = z.strictObject({
  /** score multiplier applied when other signals are present */
  factor: z.number().min(1).max(3),
});

export default defineKind<z.infer<typeof Params>, number>({
  kind: "high-risk-mcc",
  summary: "merchant category is high-risk: multiplies the score of other signals, never alerts alone",
  params: Params,
  // every event, not only profiles: a hot reload that changes the high-risk list (or the factor) applies to a
  // merchant at its next event, as it does in the other rules, not at its next profile (a set lookup an event)
  on: EVERY_EVENT,
  role: "factor",
  reads: () => ["highRiskMccs"],
  evaluate(input) {
    const { event, merchant, params, env } = input;
    const profile = merchant.profile;
    // the slot is the factor in force, so another event changes nothing until the list or the factor changes
    const factor = profile && env.highRiskMccs.has(profile.mcc) ? params.factor : undefined;
    if (event.type !== "merchant" && factor === input.slot) return undefined;
    input.slot = factor;
    if (factor === undefined || !profile) return null;
    return { value: factor, threshold: 1, eventIds: [profile.eventId], detail: profile.mcc };
  },
  explain: (f) => `high-risk merchant category ${f.detail ?? ""}: other evidence counts ${f.value}×`,
});
