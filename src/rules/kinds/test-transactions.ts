// Test transactions: a burst of very small amounts on many distinct cards, the trace of stolen cards being
// checked, or of a new merchant account being tried before it is used to sell.
// Counts attempts: authorisations, approved or declined (most tests are declined). A settlement repeats an
// authorisation already counted, and may carry its batch's time; a refund is no attempt. A processor that sends
// settlements only is not covered.
import { z } from "zod";
import { defineKind, keep } from "../kind.js";
import { hash32 } from "../../lib/hash.js";
import { Currencies, currencyText, inCurrencies } from "../currencies.js";

const Params = z
  .strictObject({
    /** a small amount, in minor units of the attempt's currency */
    maxMinor: z.number().int().min(1),
    /** the currencies maxMinor was set for: an attempt in another does not count */
    currencies: Currencies,
    minCount: z.number().int().min(2).max(500),
    minDistinctCards: z.number().int().min(2).max(500),
    withinMinutes: z.number().int().min(1).max(1440),
  })
  // the distinct cards are counted among the latest minCount attempts: more than that could never be reached
  .refine((p) => p.minDistinctCards <= p.minCount, {
    message: "minDistinctCards must be at most minCount (the cards are counted among minCount attempts): raise minCount or lower minDistinctCards",
    path: ["minDistinctCards"],
  });

interface Slot {
  /** the latest small attempts, at most minCount, none older than the window: time, card hash, event id */
  at: number[];
  cards: number[];
  eventIds: string[];
}

const freshSlot = (): Slot => ({ at: [], cards: [], eventIds: [] });

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "test-transactions",
  summary: "a burst of very small authorisation attempts (approved or declined) on many distinct cards",
  params: Params,
  on: ["transaction"],
  evaluate(input) {
    const { event, at, merchant, params } = input;
    if (event.type !== "transaction") return undefined;
    // the window ends at the merchant's latest event, not at this one's time: an attempt that arrives late, older than
    // the window, is no part of a burst now
    const since = merchant.lastEventAt - params.withinMinutes * 60_000;
    const attempt =
      (event.status === "authorized" || event.status === "declined") &&
      at >= since &&
      event.amountMinor <= params.maxMinor &&
      event.card?.token !== undefined &&
      inCurrencies(params.currencies, event.currency);
    let slot = input.slot;
    if (!attempt && !slot) return undefined;
    slot ??= keep(input, freshSlot);
    // attempts that left the window go: a burst that did withdraws its finding, and its memory goes with it
    let gone = 0;
    while (gone < slot.at.length && slot.at[gone]! < since) gone++;
    if (!attempt && !gone) return undefined;
    if (attempt) {
      // kept in time order, so the oldest go first and the span is the burst's, whatever order attempts came in
      let i = slot.at.length;
      while (i > gone && slot.at[i - 1]! > at) i--;
      slot.at.splice(i, 0, at);
      slot.cards.splice(i, 0, hash32(event.card!.token!));
      slot.eventIds.splice(i, 0, event.eventId);
      if (slot.at.length - gone > params.minCount) gone++;
    }
    if (gone) {
      slot.at.splice(0, gone);
      slot.cards.splice(0, gone);
      slot.eventIds.splice(0, gone);
    }
    if (slot.at.length === 0) {
      input.slot = undefined;
      return null;
    }
    if (slot.at.length < params.minCount) return null;
    const distinct = new Set(slot.cards).size;
    if (distinct < params.minDistinctCards) return null;
    const spanMinutes = (slot.at[slot.at.length - 1]! - slot.at[0]!) / 60_000;
    return {
      value: distinct,
      threshold: params.minDistinctCards,
      eventIds: slot.eventIds.slice(-5),
      detail: `${params.minCount} attempts of at most ${params.maxMinor} minor units ${currencyText(params.currencies)} within ${Math.max(1, Math.round(spanMinutes))} minutes`,
    };
  },
  explain: (f, p) => `${f.value} distinct cards (threshold ${p.minDistinctCards}) in ${f.detail ?? "a burst"}`,
});
