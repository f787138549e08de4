// maskCardNumbers skips text without a run of 13 digits (single spaces or dashes between them allowed) before its
// regular expression: decode runs it over every event's free text. The cheap test must never pass over a card number
// the expression would truncate.
import { describe, expect, it } from "vitest";
import { mayHoldCardNumber, maskCardNumbers } from "../src/lib/card-numbers.js";
import { Rng } from "../src/fixtures/random.js";
import { syntheticPan } from "./helpers/card-numbers.js";

/** The expression and the checks of its digits alone, as logs masked before the cheap test was put in front of them: the oracle. */
function byExpressionAlone(text: string): string {
  return text.replace(/(?<![0-9a-z+])\d(?:[ -]?\d){12,18}(?![0-9a-z+])/gi, (run) => {
    const digits = run.replace(/[ -]/g, "");
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
      sum += d;
    }
    // no card begins with 0 or 20, and one beginning with 1 has 15 digits (as the module says why)
    const issuable = digits[0] !== "0" && (digits[0] === "1" ? digits.length === 15 : !digits.startsWith("20"));
    return issuable && sum % 10 === 0 ? `${digits.slice(0, 6)}${"*".repeat(digits.length - 10)}${digits.slice(-4)}` : run;
  });
}

/** Text of digits, separators (single and doubled), letters and punctuation, with a card number now and then. */
function randomText(rng: Rng): string {
  const pieces = ["4", "0", "9", "17", " ", "-", "  ", "--", "- ", "a", "F", "/", "+", "=", "?", "*", ".", "_"];
  let text = "";
  const n = rng.uint32() % 40;
  for (let i = 0; i < n; i++) {
    if (rng.uint32() % 12 === 0) {
      const pan = syntheticPan(`4${String(rng.uint32()).padStart(10, "0")}${String(rng.uint32() % 1e8).padStart(8, "0")}`.slice(0, 12 + (rng.uint32() % 7)));
      const sep = ["", " ", "-"][rng.uint32() % 3]!;
      text += sep ? pan.replace(/(\d{4})(?=\d)/g, `$1${sep}`) : pan;
    } else text += pieces[rng.uint32() % pieces.length];
  }
  return text;
}

describe("the cheap test before the card-number expression", () => {
  it("finds a run of 13 digits, grouped by single spaces or dashes or not, and nothing shorter", () => {
    expect(mayHoldCardNumber("1234567890123")).toBe(true);
    expect(mayHoldCardNumber("x 1234 5678-9012 3 y")).toBe(true);
    expect(mayHoldCardNumber("123456789012")).toBe(false);
    expect(mayHoldCardNumber("1234 5678  9012 3456")).toBe(false);
    expect(mayHoldCardNumber("123456 -7890123")).toBe(false);
    expect(mayHoldCardNumber("-123456789012-")).toBe(false);
    expect(mayHoldCardNumber("")).toBe(false);
  });

  it("never passes over what the expression alone would truncate (20,000 random texts)", () => {
    const rng = new Rng("card-number-pre-check");
    let truncated = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(rng);
      const expected = byExpressionAlone(text);
      if (expected !== text) truncated++;
      expect(maskCardNumbers(text), JSON.stringify(text)).toBe(expected);
    }
    // the texts did hold card numbers to find
    expect(truncated).toBeGreaterThan(2000);
  });
});
