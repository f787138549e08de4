// Test transactions: a burst of very small amounts on many distinct cards, the trace of stolen cards being
// checked, or of a new merchant account being tried before it is used to sell.
import { z } from "zod";
import { defineKind, keep } from "../kind.js";
import { hash32 } from "../../lib/hash.js";

const Params = z.strictObject({
  maxMinor: z.number().int().min(1),
  minCount: z.number().int().min(2).max(500),
  minDistinctCards: z.number().int().min(2).max(500),
  withinMinutes: z.number().int().min(1).max(1440),
});

interface Slot {
  /** the last minCount small transactions: time, card hash, event id */
  at: number[];
  cards: number[];
  eventIds: string[];
}

const freshSlot = (): Slot => ({ at: [], cards: [], eventIds: [] });

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "test-transactions",
  summary: "a burst of very small amounts on many distinct cards",
  params: Params,
  on: ["transaction"],
  evaluate(input) {
    const { event, at, params } = input;
    if (event.type !== "transaction" || event.amountMinor > params.maxMinor || !event.card?.token) return undefined;
    const slot = keep(input, freshSlot);
    slot.at.push(at);
    slot.cards.push(hash32(event.card.token));
    slot.eventIds.push(event.eventId);
    if (slot.at.length > params.minCount) {
      slot.at.shift();
      slot.cards.shift();
      slot.eventIds.shift();
    }
    if (slot.at.length < params.minCount) return undefined;
    const spanMinutes = (at - slot.at[0]!) / 60_000;
    const distinct = new Set(slot.cards).size;
    if (spanMinutes > params.withinMinutes || distinct < params.minDistinctCards) return undefined;
    return {
      value: distinct,
      threshold: params.minDistinctCards,
      eventIds: slot.eventIds.slice(-5),
      detail: `${params.minCount} sales of at most ${params.maxMinor} minor units within ${Math.max(1, Math.round(spanMinutes))} minutes`,
    };
  },
  explain: (f, p) => `${f.value} distinct cards (threshold ${p.minDistinctCards}) in ${f.detail ?? "a burst"}`,
});
