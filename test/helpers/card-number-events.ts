// A merchant whose every free-text field holds a card number (PAN), made by syntheticPan so that no card number is
// written in a file, and an indicator set that makes the default rules quote those fields in their alerts.
import { crawl, indexOf, indicatorSet, merchant, resetEvents, tx } from "./events.js";
import { syntheticPan } from "./card-numbers.js";
import type { Event } from "../../src/decode/events.js";

export const PAN = syntheticPan("400012345678901");
/** the number as decode truncates it: first six and last four digits */
export const SHOWN = `400012******${PAN.slice(-4)}`;
/** the number as a producer may group it */
export const SPACED = PAN.replace(/(\d{4})(?=\d)/g, "$1 ");
export const DASHED = PAN.replace(/(\d{4})(?=\d)/g, "$1-");

/** Whether the text holds the card number whole, grouped or not. */
export const holdsPan = (text: string): boolean => text.replace(/[ -]/g, "").includes(PAN);

/**
 * The merchant (ids from e-1, merchantId `merchantId`), one transaction and one crawl, a card number in the
 * descriptors, legal name, website, checkout and referrer addresses, crawled and linked addresses.
 */
export function eventsWithCardNumbers(merchantId?: string): Event[] {
  resetEvents();
  const m = merchantId === undefined ? {} : { merchantId };
  return [
    merchant({ ...m, descriptor: `TOKALPHA ${PAN}`, legalName: `Shop ${DASHED} BV`, websites: [`https://shop.example/?ref=${PAN}`] }),
    tx({ ...m, descriptor: `TOKALPHA*${SPACED}`, checkout: { url: `https://pay.example/c?card=${PAN}`, referrerUrl: `https://flagged-ref.example/r?pan=${PAN}` } }),
    crawl({ ...m, url: `https://shop.example/search?q=${DASHED}`, linkedUrls: [`https://flagged-gallery.example/g?n=${SPACED}`] }),
  ];
}

/** The keyword of the merchant's descriptor and the referrer's and linked address's domains, listed. */
export const cardNumberIndicatorSet = () =>
  indicatorSet([
    { kind: "keyword", value: "tokalpha", confidence: 90 },
    { kind: "domain", value: "flagged-ref.example", confidence: 90 },
    { kind: "domain", value: "flagged-gallery.example", confidence: 90 },
  ]);

export const cardNumberIndicators = () => indexOf(cardNumberIndicatorSet());
