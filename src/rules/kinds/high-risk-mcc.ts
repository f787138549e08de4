// High-risk MCC (5967 direct-marketing inbound teleservices, 7273 dating, 4816 computer networks, 5816 digital
// games, 6051 quasi-cash, ...): a factor that raises the weight of other evidence, never an alert on its own.
import { z } from "zod";
import { defineKind } from "../kind.js";

const Params = z.strictObject({
  /** score multiplier applied when other signals are present */
  factor: z.number().min(1).max(3),
});

export default defineKind<z.infer<typeof Params>>({
  kind: "high-risk-mcc",
  summary: "merchant category is high-risk: multiplies the score of other signals, never alerts alone",
  params: Params,
  on: ["merchant"],
  role: "factor",
  evaluate({ event, merchant, params, env }) {
    const mcc = merchant.profile?.mcc;
    if (!mcc || !env.highRiskMccs.has(mcc)) return null;
    return { value: params.factor, threshold: 1, eventIds: [event.eventId], detail: mcc };
  },
  explain: (f) => `high-risk merchant category ${f.detail ?? ""}: other evidence counts ${f.value}×`,
});
