// parseTime keeps the start of the day of the time it read last (events come in time order): a time read after others,
// of the same day or not, is what Date.UTC gives for the whole of it, up to Date.UTC's bound.
import { describe, expect, it } from "vitest";
import { parseTime } from "../src/lib/time.js";

/** Date.UTC of the whole time, its fields read as parseTime reads them (a character's code less 48 a digit). */
function whole(s: string): number {
  const d = (i: number) => s.charCodeAt(i) - 48;
  const two = (i: number) => d(i) * 10 + d(i + 1);
  let ms = 0;
  for (let i = 20, scale = 100; i < s.length - 1 && scale >= 1; i++, scale /= 10) ms += d(i) * scale;
  const t = Date.UTC(d(0) * 1000 + d(1) * 100 + two(2), two(5) - 1, two(8), two(11), two(14), two(17), ms);
  return t === t ? t : Date.parse(s);
}

describe("parseTime", () => {
  it("reads times of one day, of the next, back and forth, as Date.UTC reads each whole", () => {
    const times = [
      "2026-03-01T00:00:00Z",
      "2026-03-01T10:15:30Z",
      "2026-03-01T23:59:59.999Z",
      "2026-03-02T00:00:00.5Z",
      "2026-03-01T12:00:00Z",
      "2026-02-28T23:59:59Z",
      "2026-02-30T10:00:00Z",
      "2024-02-29T06:00:00.123Z",
      "1969-12-31T23:59:59.999Z",
      "1970-01-01T00:00:00Z",
      "0050-06-01T00:00:00Z",
      "0050-06-01T01:00:00Z",
      "2026-03-01T24:00:00Z",
      "2026-03-01T10:61:99Z",
    ];
    for (const s of times) expect([s, parseTime(s)]).toEqual([s, whole(s)]);
    // the valid ones as Date.parse reads them
    for (const s of times.slice(0, 8)) expect(parseTime(s)).toBe(Date.parse(s));
  });

  it("at Date.UTC's bound, where the day's start alone is beyond it and the whole time is not, reads the whole", () => {
    // a year read from characters that are no digits (275760: the last day Date.UTC takes is its 13 September)
    const edge = `${String.fromCharCode(48 + 275)}760-09-14T  :00:00Z`;
    parseTime("2026-03-01T00:00:00Z");
    expect(whole(edge)).not.toBeNaN();
    expect(parseTime(edge)).toBe(whole(edge));
    expect(parseTime(`${String.fromCharCode(48 + 275)}760-09-14T00:00:00Z`)).toBeNaN();
  });

  it("takes Date.parse for other spellings", () => {
    for (const s of ["2026-03-01T10:00:00+01:00", "2026-03-01 10:00:00Z", "2026-03-01"]) expect(Object.is(parseTime(s), Date.parse(s))).toBe(true);
  });
});
