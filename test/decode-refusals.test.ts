// A refusal says what is wrong and what the contract wants instead. A refused occurredAt: a time with an offset is
// told to convert to UTC, and a time that is not an RFC 3339 time at all (no seconds, a date alone, a day the calendar
// lacks, a leap second) is told what one is, not to convert an offset it does not have. A currency or country code in
// lower case is told that the code's letters are upper-case.
import { describe, expect, it } from "vitest";
import { decode } from "../src/decode/decode.js";
import type { Event } from "../src/decode/events.js";
import { merchant, resetEvents, tx } from "./helpers/events.js";

const refusal = (occurredAt: string) => refusalOf({ occurredAt });
function refusalOf(over: Record<string, unknown>, e: Event = tx()): string {
  resetEvents();
  const d = decode(JSON.stringify({ ...e, ...over }));
  return d.ok ? "accepted" : d.reason;
}

describe("a refused occurredAt", () => {
  it("with an offset from UTC: convert it to Z", () => {
    for (const t of ["2026-03-01T01:00:00+02:00", "2026-03-01T01:00+02:00"])
      expect(refusal(t)).toBe("schema: occurredAt: expected an RFC 3339 time in UTC, as 2026-03-01T09:00:00Z: the contract requires UTC, so convert a time with an offset (+02:00) to Z");
  });

  it("that is not an RFC 3339 time: what one is, and no word of an offset", () => {
    for (const t of ["2026-03-01T09:00Z", "2026-03-01", "2026-02-30T09:00:00Z", "2026-06-30T23:59:60Z", "2026-03-01 09:00:00Z", "1772355600", "yesterday"])
      expect(refusal(t), t).toBe(
        "schema: occurredAt: expected an RFC 3339 time in UTC, as 2026-03-01T09:00:00Z: a calendar date, T, hours, minutes and seconds (00 to 59, no leap second), an optional fraction, and Z",
      );
  });
});

describe("a refused code", () => {
  it("of a currency or a country in lower case: the letters are upper-case", () => {
    const currency = "schema: currency: expected an ISO 4217 code: 3 upper-case letters, as EUR";
    const country = (field: string) => `schema: ${field}: expected an ISO 3166-1 alpha-2 code: 2 upper-case letters, as NL`;
    expect(refusalOf({ currency: "eur" })).toBe(currency);
    expect(refusalOf({ card: { country: "de" } })).toBe(country("card.country"));
    expect(refusalOf({ country: "nl" }, merchant())).toBe(country("country"));
  });
});

// zod said "Invalid discriminator value. Expected 'merchant' | 'transaction' | ...": neither the value sent nor the type
// it most likely meant
describe("a refused type", () => {
  const TYPES = "the contract's types are merchant, transaction, chargeback, site_observation";
  it("that is none of the contract's: the value sent, the type it most likely meant, and the types", () => {
    for (const [type, meant] of [
      ["transacton", "transaction"],
      ["Merchant", "merchant"],
      ["site-observation", "site_observation"],
      ["chargebacks", "chargeback"],
    ] as const)
      expect(refusalOf({ type }), type).toBe(`schema: type: "${type}" is not an event type (did you mean "${meant}"?); ${TYPES}`);
    // nothing near: no guess (the contract has no "sale")
    expect(refusalOf({ type: "sael" })).toBe(`schema: type: "sael" is not an event type; ${TYPES}`);
    expect(refusalOf({ type: 3 })).toBe(`schema: type: 3 is not an event type; ${TYPES}`);
    expect(refusalOf({ type: { name: "merchant" } })).toBe(`schema: type: an object is not an event type; ${TYPES}`);
  });

  it("left out: said missing, as before", () => {
    expect(refusalOf({ type: undefined })).toBe('schema: type: missing: this key is required (one of "merchant"|"transaction"|"chargeback"|"site_observation")');
  });
});
