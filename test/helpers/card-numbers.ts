// Card-like numbers for tests of where a PAN may go, made here so that no card number is written in a file:
// synthetic digits completed with their Luhn check digit.

/** `digits` followed by the Luhn check digit that makes the whole a valid card-number form. */
export function syntheticPan(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return digits + ((10 - (sum % 10)) % 10);
}
