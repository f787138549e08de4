// Descriptor churn: K or more distinct descriptors within D days. Merchants selling abuse material rebrand
// to shake off blocks and chargebacks; a normal business renames once in a while, not every week.
import { z } from "zod";
import { defineKind, keep } from "../kind.js";
import { hash32 } from "../../lib/hash.js";
import { normaliseDescriptor } from "../../lib/descriptor.js";
import { dayIndex } from "../../state/window.js";

const Params = z.strictObject({
  distinct: z.number().int().min(2).max(16),
  withinDays: z.number().int().min(1).max(366),
});

interface Slot {
  /** distinct normalised descriptors with the day last seen and the event that showed it first */
  seen: { d: string; day: number; eventId: string }[];
  /** fingerprint of the descriptor last seen */
  last: number;
}
const fresh = (): Slot => ({ seen: [], last: 0 });

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "descriptor-churn",
  summary: "K or more distinct normalised descriptors within D days (transactions or profile changes)",
  params: Params,
  on: ["merchant", "transaction"],
  evaluate(input) {
    const { event, at, params } = input;
    const descriptor = event.type === "merchant" || event.type === "transaction" ? event.descriptor : undefined;
    if (!descriptor) return undefined;
    const day = dayIndex(at);
    const h = hash32(descriptor);
    const slot = keep(input, fresh);
    const since = day - params.withinDays;
    if (h === slot.last) {
      // refresh the day cheaply; no new descriptor means no new finding, but older names age out of the window
      // while the merchant keeps this one, and a churn they made must then be withdrawn
      const cur = slot.seen[slot.seen.length - 1];
      if (cur && day > cur.day) cur.day = day;
      const oldest = slot.seen[0];
      if (!oldest || oldest.day > since) return undefined;
      slot.seen = slot.seen.filter((s) => s.day > since);
      return slot.seen.length < params.distinct ? null : undefined;
    }
    slot.last = h;
    const d = normaliseDescriptor(descriptor).slice(0, 64);
    const i = slot.seen.findIndex((s) => s.d === d);
    const entry = i >= 0 ? slot.seen.splice(i, 1)[0]! : { d, day, eventId: event.eventId };
    entry.day = Math.max(entry.day, day);
    slot.seen.push(entry);
    slot.seen = slot.seen.filter((s) => s.day > since).slice(-16);
    if (slot.seen.length < params.distinct) return null;
    return {
      value: slot.seen.length,
      threshold: params.distinct,
      eventIds: slot.seen.map((s) => s.eventId),
      detail: slot.seen.map((s) => `"${s.d}"`).join(", "),
    };
  },
  explain: (f, p) => `${f.value} distinct descriptors within ${p.withinDays} days (threshold ${f.threshold}): ${f.detail ?? ""}`,
});
