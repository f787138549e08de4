// Descriptor churn: K or more distinct descriptors within D days. Merchants selling abuse material rebrand
// to shake off blocks and chargebacks; a normal business renames once in a while, not every week.
// Days are calendar days (UTC), counted inclusively: a name last seen on day d is in the window up to day d + D. So
// two names less than D days apart are always in one window (01 March 23:59 and 31 March 00:01 are within 30 days),
// at the cost of some up to a day more apart: a churn within D days is never missed.
import { z } from "zod";
import { defineKind, EVERY_EVENT, keep, type Finding } from "../kind.js";
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

/** Drops the names that left the window (last seen before day `since`). */
function settle(slot: Slot, since: number): void {
  syncNewest(slot);
  slot.seen = slot.seen.filter((s) => s.day >= since).slice(-16);
  slot.day = slot.seen[slot.seen.length - 1]?.day ?? 0;
  slot.oldest = slot.seen[0]?.day ?? Number.MAX_SAFE_INTEGER;
}

function finding(slot: Slot, params: z.infer<typeof Params>): Finding | null {
  if (slot.seen.length < params.distinct) return null;
  return {
    value: slot.seen.length,
    threshold: params.distinct,
    eventIds: slot.seen.map((s) => s.eventId),
    detail: slot.seen.map((s) => `"${s.d}"`).join(", "),
  };
}

/**
 * The merchant's latest day moved on: names that left the window go, and a churn they made is withdrawn or holds on
 * those still in it; undefined while none has left.
 */
function aged(slot: Slot, since: number, params: z.infer<typeof Params>): Finding | null | undefined {
  if (slot.oldest >= since) return undefined;
  settle(slot, since);
  return finding(slot, params);
}

/**
 * A name seen on a day before the newest name's (an event out of order, still in the window): it takes its place by
 * that day, and the newest name stays the newest.
 */
function late(slot: Slot, descriptor: string, day: number, eventId: string, since: number, params: z.infer<typeof Params>): Finding | null | undefined {
  syncNewest(slot);
  const d = normaliseDescriptor(descriptor).slice(0, 64);
  const i = slot.seen.findIndex((s) => s.d === d);
  // seen since (the newest name among them): nothing changes
  if (i >= 0 && slot.seen[i]!.day >= day) return undefined;
  const entry: Seen = i >= 0 ? slot.seen.splice(i, 1)[0]! : { d, day, eventId };
  entry.day = day;
  let at = Math.max(slot.seen.length - 1, 0);
  while (at > 0 && slot.seen[at - 1]!.day > day) at--;
  slot.seen.splice(at, 0, entry);
  settle(slot, since);
  return finding(slot, params);
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "descriptor-churn",
  summary: "K or more distinct normalised descriptors within D days (transactions or profile changes)",
  params: Params,
  // every event moves the merchant's window on, those without a descriptor (most sales, chargebacks, crawls) too
  on: EVERY_EVENT,
  evaluate(input) {
    const { event, at, merchant, params } = input;
    const descriptor = event.type === "merchant" || event.type === "transaction" ? event.descriptor : undefined;
    // the window ends on the merchant's latest day, not this event's: a late event older than the window counts nowhere
    const since = dayIndex(merchant.lastEventAt) - params.withinDays;
    if (!descriptor) return input.slot && aged(input.slot, since, params);
    const day = dayIndex(at);
    if (day < since) return undefined;
    const h = hash32(descriptor);
    const slot = keep(input, fresh);
    if (day < slot.day) return late(slot, descriptor, day, event.eventId, since, params);
    if (h === slot.last) {
      if (day > slot.day) slot.day = day;
      // older names age out of the window while the merchant keeps this one
      return aged(slot, since, params);
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
    return finding(slot, params);
  },
  explain: (f, p) => `${f.value} distinct descriptors within ${p.withinDays} days (threshold ${f.threshold}): ${f.detail ?? ""}`,
  restore(stored) {
    // slots written before the newest name's day moved out of its entry have neither `day` nor `oldest`
    const slot = stored as Omit<Slot, "day" | "oldest"> & Partial<Slot>;
    return { ...slot, day: slot.day ?? slot.seen.at(-1)?.day ?? 0, oldest: slot.oldest ?? slot.seen[0]?.day ?? Number.MAX_SAFE_INTEGER };
  },
});
