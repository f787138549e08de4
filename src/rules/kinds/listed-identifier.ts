// Identifier on an alert list: the merchant ID, contact e-mail hash, payout account hash, a principal's hash
// or a payout wallet appears in an indicator set. Terminated merchants come back under new names with the
// same people and accounts.
import { z } from "zod";
import { defineKind, confidenceText } from "../kind.js";
import type { IndicatorRef } from "../../indicators/index.js";
import { indicatorKey } from "../../indicators/schema.js";
import type { IndicatorKind } from "../../indicators/schema.js";
import type { Profile } from "../../state/merchant.js";

const Params = z.strictObject({
  minConfidence: z.number().int().min(0).max(100).default(50),
  criticalConfidence: z.number().int().min(0).max(100).default(80),
});

interface Slot {
  matched: IndicatorRef[];
  fields: string[];
  eventIds: string[];
}
/** the slot of a merchant whose ID was checked and matched nothing: one shared value, no allocation */
const CHECKED = 0;
const fresh = (): Slot => ({ matched: [], fields: [], eventIds: [] });

function identifiers(merchantId: string, p: Profile | undefined): [IndicatorKind, string, string][] {
  const out: [IndicatorKind, string, string][] = [["merchant-id", merchantId, "merchant ID"]];
  if (!p) return out;
  if (p.contactEmail) out.push(["email-sha256", p.contactEmail, "contact e-mail"]);
  if (p.payoutAccount) out.push(["account-sha256", p.payoutAccount, "payout account"]);
  for (const v of p.principals) out.push(["principal-sha256", v, "principal"]);
  for (const v of p.wallets) out.push(["wallet", v, "payout wallet"]);
  return out;
}

export default defineKind<z.infer<typeof Params>, Slot | typeof CHECKED>({
  kind: "listed-identifier",
  summary: "merchant ID, contact e-mail, payout account, principal or wallet is on an indicator list",
  params: Params,
  on: ["merchant", "transaction", "chargeback", "site_observation"],
  evaluate(input) {
    const { event, at, merchant, params, env } = input;
    // the merchant ID is checked once; the profile's identifiers each time the profile changes
    if (event.type !== "merchant" && input.slot !== undefined) return undefined;
    input.slot ??= CHECKED;
    let slot: Slot | undefined = input.slot === CHECKED ? undefined : input.slot;
    let found = false;
    for (const [kind, value, field] of identifiers(merchant.id, event.type === "merchant" ? merchant.profile : undefined)) {
      if (!env.indicators.has(kind)) continue;
      for (const r of env.indicators.lookup(kind, indicatorKey(kind, value) ?? value, at)) {
        if (r.confidence < params.minConfidence || slot?.matched.some((m) => m.set === r.set && m.id === r.id)) continue;
        slot ??= input.slot = fresh();
        slot.matched.push(r);
        if (!slot.fields.includes(field)) slot.fields.push(field);
        found = true;
      }
    }
    if (!found || !slot) return undefined;
    if (!slot.eventIds.includes(event.eventId)) slot.eventIds.push(event.eventId);
    const best = Math.max(...slot.matched.map((m) => m.confidence));
    return {
      value: best,
      threshold: params.minConfidence,
      strength: best / 100,
      critical: best >= params.criticalConfidence,
      eventIds: slot.eventIds.slice(-5),
      indicators: slot.matched.slice(-8),
      detail: slot.fields.join(", "),
    };
  },
  explain: (f, p) => `${f.detail ?? "an identifier"} on an indicator list: ${confidenceText(f.value, p.minConfidence, p.criticalConfidence)}`,
});
