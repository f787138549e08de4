// Identifier on an alert list: the merchant ID, contact e-mail hash, payout account hash, a principal's hash
// or a payout wallet appears in an indicator set. Terminated merchants come back under new names with the
// same people and accounts.
import { z } from "zod";
import { defineKind, EVERY_EVENT, indicatorFinding, confidenceText, keepStrongest, recheckedEvidence, type EvalInput } from "../kind.js";
import type { IndicatorRef } from "../../indicators/index.js";
import { indicatorKey } from "../../indicators/schema.js";
import type { IndicatorKind } from "../../indicators/schema.js";
import type { Profile } from "../../state/merchant.js";
import { pushRecent } from "../../state/window.js";

const Params = z.strictObject({
  minConfidence: z.number().int().min(0).max(100).default(50),
  criticalConfidence: z.number().int().min(0).max(100).default(80),
});

interface Slot {
  matched: IndicatorRef[];
  fields: string[];
  eventIds: string[];
  /** the identifiers that matched, so a check against new sets keeps the match of one the profile has since dropped */
  ids?: Identifier[];
}
type Identifier = [kind: IndicatorKind, value: string, field: string];
type Params = z.infer<typeof Params>;
/** the slot of a merchant whose ID was checked and matched nothing: one shared value, no allocation */
const CHECKED = 0;
const fresh = (): Slot => ({ matched: [], fields: [], eventIds: [], ids: [] });
const CAP = 8;

function identifiers(merchantId: string, p: Profile | undefined): Identifier[] {
  const out: Identifier[] = [["merchant-id", merchantId, "merchant ID"]];
  if (!p) return out;
  if (p.contactEmail) out.push(["email-sha256", p.contactEmail, "contact e-mail"]);
  if (p.payoutAccount) out.push(["account-sha256", p.payoutAccount, "payout account"]);
  for (const v of p.principals) out.push(["principal-sha256", v, "principal"]);
  for (const v of p.wallets) out.push(["wallet", v, "payout wallet"]);
  return out;
}

/** Looks the identifiers up and records new matches in the slot (created on the first); the slot when there was one. */
function collect(input: EvalInput<Params, Slot | typeof CHECKED>, ids: readonly Identifier[]): Slot | undefined {
  const { at, params, env } = input;
  let found: Slot | undefined;
  for (const id of ids) {
    const [kind, value, field] = id;
    if (!env.indicators.has(kind)) continue;
    for (const r of env.indicators.lookup(kind, indicatorKey(kind, value) ?? value, at)) {
      if (r.confidence < params.minConfidence) continue;
      const slot = (input.slot === CHECKED ? undefined : input.slot) ?? (input.slot = fresh());
      if (!keepStrongest(slot.matched, r, CAP)) continue;
      if (!slot.fields.includes(field)) slot.fields.push(field);
      const held = (slot.ids ??= []);
      if (!held.some(([k, v]) => k === kind && v === value) && held.length < CAP) held.push(id);
      found = slot;
    }
  }
  return found;
}

export default defineKind<Params, Slot | typeof CHECKED>({
  kind: "listed-identifier",
  summary: "merchant ID, contact e-mail, payout account, principal or wallet is on an indicator list",
  params: Params,
  on: [...EVERY_EVENT, "indicators-changed"],
  evaluate(input) {
    const { event, merchant, params } = input;
    // the merchant ID is checked once; the profile's identifiers each time the profile changes; all of them, and
    // those that matched before, when the indicator sets in force change
    if (event.type === "indicators-changed") {
      const prior = input.slot === CHECKED ? undefined : input.slot;
      const ids = identifiers(merchant.id, merchant.profile);
      for (const id of prior?.ids ?? []) if (!ids.some(([k, v]) => k === id[0] && v === id[1])) ids.push(id);
      // rebuilt from nothing: matches of entries revoked or expired since are gone
      input.slot = CHECKED;
      const slot = collect(input, ids);
      if (!slot) return null;
      slot.eventIds = recheckedEvidence(prior, input);
      return indicatorFinding(slot.matched, slot.eventIds, slot.fields.join(", "), params);
    }
    if (event.type !== "merchant" && input.slot !== undefined) return undefined;
    input.slot ??= CHECKED;
    const slot = collect(input, identifiers(merchant.id, event.type === "merchant" ? merchant.profile : undefined));
    if (!slot) return undefined;
    pushRecent(slot.eventIds, event.eventId, 5);
    return indicatorFinding(slot.matched, slot.eventIds, slot.fields.join(", "), params);
  },
  explain: (f, p) => `${f.detail ?? "an identifier"} on an indicator list: ${confidenceText(f.value, p.minConfidence, p.criticalConfidence)}`,
});
