// A number past the largest JavaScript holds exactly (?page=99999999999999999999) failed both the whole-number and
// the maximum check and was refused with "expected a whole number of at least 1" twice: wrong for a number that is at
// least 1. It is said once, as too large.
import { describe, expect, it } from "vitest";
import { wholeNumber } from "../src/lib/whole-number.js";

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message) ?? [];

describe("wholeNumber", () => {
  it("says a number too large to hold once, as too large", () => {
    expect(messages(wholeNumber(1).safeParse("99999999999999999999"))).toEqual(["expected a whole number of at most 9007199254740991"]);
    expect(messages(wholeNumber(1, 500).safeParse("99999999999999999999"))).toEqual(["expected a whole number from 1 to 500"]);
  });

  it("says the range for what is not a whole number, or below it, or above a given maximum", () => {
    expect(messages(wholeNumber(1).safeParse("0"))).toEqual(["expected a whole number of at least 1"]);
    expect(messages(wholeNumber(1).safeParse("x"))).toEqual(["expected a whole number of at least 1"]);
    expect(messages(wholeNumber(1).safeParse(1.5))).toEqual(["expected a whole number of at least 1"]);
    expect(messages(wholeNumber(1, 500).safeParse("501"))).toEqual(["expected a whole number from 1 to 500"]);
    expect(wholeNumber(1).parse("42")).toBe(42);
  });
});
