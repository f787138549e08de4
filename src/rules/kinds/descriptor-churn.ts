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
  /** distinct normalised descriptors, least recently seen first, with the day last seen (the newest one's is `day`)
   *  and the event that showed it first */
  seen: { d: string; day: number; eventId: string }[];
  /** fingerprint of the descriptor last seen */
  last: number;
  /** day the descriptor last seen was last seen; kept here, not in its entry, so a repeat touches the slot alone */
  day: number;
  /** day of the least recently seen descriptor: until the window passes it, a repeat changes nothing */
  oldest: number;
}
type Seen = Slot["seen"][number];
const fresh = (): Slot => ({ seen: [], last: 0, day: 0, oldest: 0 });

/** Puts the newest name's day, kept on the slot, back in its entry. */
function syncNewest(slot: Slot): void {
  const newest = slot.seen[slot.seen.length - 1];
  if (newest && slot.day > newest.day) newest.day = slot.day;
}

/** Drops the names that left the window. */
function settle(slot: Slot, since: number): void {
  syncNewest(slot);
  slot.seen = slot.seen.filter((s) => s.day > since).slice(-16);
  slot.day = slot.seen[slot.seen.length - 1]?.day ?? 0;
  slot.oldest = slot.seen[0]?.day ?? Number.MAX_SAFE_INTEGER;
}

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
      if (day > slot.day) slot.day = day;
      if (slot.oldest > since) return undefined;
      // older names age out of the window while the merchant keeps this one: a churn they made is withdrawn
      settle(slot, since);
      return slot.seen.length < params.distinct ? null : undefined;
    }
    syncNewest(slot); // before another name takes its place
    slot.last = h;
    const d = normaliseDescriptor(descriptor).slice(0, 64);
    const i = slot.seen.findIndex((s) => s.d === d);
    const entry: Seen = i >= 0 ? slot.seen.splice(i, 1)[0]! : { d, day, eventId: event.eventId };
    entry.day = Math.max(entry.day, day);
    slot.seen.push(entry);
    slot.day = entry.day;
    settle(slot, since);
    if (slot.seen.length < params.distinct) return null;
    return {
      value: slot.seen.length,
      threshold: params.distinct,
      eventIds: slot.seen.map((s) => s.eventId),
      detail: slot.seen.map((s) => `"${s.d}"`).join(", "),
    };
  },
  explain: (f, p) => `${f.value} distinct descriptors within ${p.withinDays} days (threshold ${f.threshold}): ${f.detail ?? ""}`,
  restore(stored) {
    // slots written before the newest name's day moved out of its entry have neither `day` nor `oldest`
    const slot = stored as Omit<Slot, "day" | "oldest"> & Partial<Slot>;
    return { ...slot, day: slot.day ?? slot.seen.at(-1)?.day ?? 0, oldest: slot.oldest ?? slot.seen[0]?.day ?? Number.MAX_SAFE_INTEGER };
  },
});
