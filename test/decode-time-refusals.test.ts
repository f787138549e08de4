// A refused occurredAt says what is wrong with it: a time with an offset is told to convert to UTC, and a time that
// is not an RFC 3339 time at all (no seconds, a date alone, a day the calendar lacks, a leap second) is told what one
// is, not to convert an offset it does not have.
import { describe, expect, it } from "vitest";
import { decode } from "../src/decode/decode.js";
import { resetEvents, tx } from "./helpers/events.js";

const refusal = (occurredAt: string) => {
  resetEvents();
  const d = decode(JSON.stringify({ ...tx(), occurredAt }));
  return d.ok ? "accepted" : d.reason;
};

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
