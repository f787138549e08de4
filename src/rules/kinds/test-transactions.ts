// Test transactions: a burst of very small amounts on many distinct cards, the trace of stolen cards being
// checked, or of a new merchant account being tried before it is used to sell.
// Counts attempts: authorisations, approved or declined (most tests are declined). A settlement repeats an
// authorisation already counted, and may carry its batch's time; a refund is no attempt. A processor that sends
// settlements only is not covered.
import { z } from "zod";
import { defineKind, EVERY_EVENT, keep } from "../kind.js";
import { hash32 } from "../../lib/hash.js";
import { Currencies, currencyText, inCurrencies, wholeUnitsDoubt } from "../currencies.js";

const Params = z.strictObject({
  /** a small amount, in minor units of the attempt's currency */
  maxMinor: z.number().int().min(1),
  /** the currencies maxMinor was set for: an attempt in another does not count */
  currencies: Currencies,
  minCount: z.number().int().min(2).max(500),
  minDistinctCards: z.number().int().min(2).max(500),
  withinMinutes: z.number().int().min(1).max(1440),
});

/**
 * Two bounded lists, both oldest first and none older than the window: the latest attempts (at most minCount), and
 * the latest distinct cards with the time of each card's latest attempt (at most minCount or minDistinctCards). Apart,
 * because testers retry a card (another expiry, another CVV): 40 attempts on 20 cards hold only 8 cards in their
 * latest 15, and counting the cards among those missed the burst.
 */
interface Slot {
  /** time and event id of each attempt */
  at: number[];
  eventIds: string[];
  /** [card hash, time of its latest attempt] laid end to end */
  latestByCard: number[];
}
type Params = z.infer<typeof Params>;

const freshSlot = (): Slot => ({ at: [], eventIds: [], latestByCard: [] });

/** A slot as stored before the cards were kept apart (`cards`: the card of each attempt), in this shape. */
function storedSlot(stored: Slot & { cards?: number[] }): Slot {
  const { cards, ...slot } = stored;
  if (!cards) return slot;
  const latestByCard: number[] = [];
  cards.forEach((card, i) => cardSeen(latestByCard, card, slot.at[i]!, cards.length));
  return { ...slot, latestByCard };
}

/** Records a card's attempt at time `at` in [card, latest time] pairs kept in time order, at most `cap` cards. */
function cardSeen(pairs: number[], card: number, at: number, cap: number): void {
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] !== card) continue;
    if (pairs[i + 1]! >= at) return;
    pairs.splice(i, 2);
    break;
  }
  let i = pairs.length;
  while (i > 0 && pairs[i - 1]! > at) i -= 2;
  pairs.splice(i, 0, card, at);
  if (pairs.length > cap * 2) pairs.splice(0, 2);
}

/** How many leading entries of a time-ordered list (every `width`th number a time) are older than `since`. */
function expired(list: number[], since: number, width: number, offset: number): number {
  let n = 0;
  while (n < list.length && list[n + offset]! < since) n += width;
  return n;
}

export default defineKind<Params, Slot>({
  kind: "test-transactions",
  summary: "a burst of very small authorisation attempts (approved or declined) on many distinct cards",
  params: Params,
  // every event moves the window on: a burst lapses at the merchant's next event once it has left it, whatever that is
  on: EVERY_EVENT,
  // card tests are small, often under one unit, but a limit under a tenth of one (2 cents) is most likely 2 EUR
  doubts: (p) => wholeUnitsDoubt("maxMinor", p.maxMinor, p.currencies, 0.1, "a test amount"),
  evaluate(input) {
    const { event, at, merchant, params } = input;
    // the window ends at the merchant's latest event, not at this one's time: an attempt that arrives late, older than
    // the window, is no part of a burst now
    const since = merchant.lastEventAt - params.withinMinutes * 60_000;
    const attempt =
      event.type === "transaction" &&
      (event.status === "authorized" || event.status === "declined") &&
      at >= since &&
      event.amountMinor <= params.maxMinor &&
      event.card?.token !== undefined &&
      inCurrencies(params.currencies, event.currency)
        ? event
        : undefined;
    let slot = input.slot;
    if (!attempt && !slot) return undefined;
    slot ??= keep(input, freshSlot);
    // what left the window goes: a burst that did withdraws its finding, and its memory goes with it
    const gone = expired(slot.at, since, 1, 0);
    const cardsGone = expired(slot.latestByCard, since, 2, 1);
    if (!attempt && !gone && !cardsGone) return undefined;
    slot.at.splice(0, gone);
    slot.eventIds.splice(0, gone);
    slot.latestByCard.splice(0, cardsGone);
    if (attempt) {
      // kept in time order, so the oldest go first and the span is the burst's, whatever order attempts came in
      let i = slot.at.length;
      while (i > 0 && slot.at[i - 1]! > at) i--;
      slot.at.splice(i, 0, at);
      slot.eventIds.splice(i, 0, attempt.eventId);
      if (slot.at.length > params.minCount) {
        slot.at.shift();
        slot.eventIds.shift();
      }
      cardSeen(slot.latestByCard, hash32(attempt.card!.token!), at, Math.max(params.minCount, params.minDistinctCards));
    }
    if (slot.at.length === 0) {
      input.slot = undefined;
      return null;
    }
    const distinct = slot.latestByCard.length / 2;
    if (slot.at.length < params.minCount || distinct < params.minDistinctCards) return null;
    const first = Math.min(slot.at[0]!, slot.latestByCard[1]!);
    const spanMinutes = (Math.max(slot.at[slot.at.length - 1]!, slot.latestByCard[slot.latestByCard.length - 1]!) - first) / 60_000;
    return {
      value: distinct,
      threshold: params.minDistinctCards,
      eventIds: slot.eventIds.slice(-5),
      detail: `${params.minCount} attempts of at most ${params.maxMinor} minor units ${currencyText(params.currencies)} within ${Math.max(1, Math.round(spanMinutes))} minutes`,
    };
  },
  // the cards are kept up to max(minCount, minDistinctCards): at that many there may be more
  explain: (f, p) =>
    `${f.value >= Math.max(p.minCount, p.minDistinctCards) ? "at least " : ""}${f.value} distinct cards (threshold ${p.minDistinctCards}) and ${f.detail ?? "a burst"} (threshold ${p.minCount} attempts within ${p.withinMinutes} minutes)`,
  restore: (stored) => storedSlot(stored as Slot & { cards?: number[] }),
});
