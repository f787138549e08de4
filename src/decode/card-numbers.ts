// The contract carries cards as tokens only, but a producer may type a card number (PAN) into an event's free text.
// It is truncated as soon as the event is read, before the engine keeps anything of it, so that no merchant state,
// PostgreSQL row or output holds one. Ids, hashes, tokens, amounts and times are not free text and stay as sent: an
// id truncated could become another's.
import { maskCardNumbers } from "../lib/card-numbers.js";
import type { Event } from "./events.js";

/** The fields of an event that can hold free text, as the producer is told one held a card number. */
export const TEXT_FIELDS = ["legalName", "descriptor", "websites", "checkout.url", "checkout.referrerUrl", "url", "linkedUrls"] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** The fields of the call in hand that held a card number (decode is synchronous: one event at a time). */
let found: TextField[] | undefined;

function masked(value: string, field: TextField): string {
  const text = maskCardNumbers(value);
  if (text !== value) (found ??= []).push(field);
  return text;
}

function maskList(values: string[], field: TextField): void {
  let held = false;
  for (let i = 0; i < values.length; i++) {
    const text = maskCardNumbers(values[i]!);
    if (text !== values[i]) (values[i] = text), (held = true);
  }
  if (held) (found ??= []).push(field);
}

/**
 * Truncates, in place, the card numbers in the event's free text (decode's own event, just parsed) as
 * maskCardNumbers does. Returns the fields that held one, or undefined, allocating nothing, when none did.
 */
export function truncateCardNumbers(e: Event): TextField[] | undefined {
  found = undefined;
  switch (e.type) {
    case "merchant":
      e.descriptor = masked(e.descriptor, "descriptor");
      if (e.legalName !== undefined) e.legalName = masked(e.legalName, "legalName");
      if (e.websites !== undefined) maskList(e.websites, "websites");
      break;
    case "transaction":
      if (e.descriptor !== undefined) e.descriptor = masked(e.descriptor, "descriptor");
      if (e.checkout?.url !== undefined) e.checkout.url = masked(e.checkout.url, "checkout.url");
      if (e.checkout?.referrerUrl !== undefined) e.checkout.referrerUrl = masked(e.checkout.referrerUrl, "checkout.referrerUrl");
      break;
    case "site_observation":
      e.url = masked(e.url, "url");
      if (e.linkedUrls !== undefined) maskList(e.linkedUrls, "linkedUrls");
      break;
    case "chargeback":
      break;
  }
  return found;
}
