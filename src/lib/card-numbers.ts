// Card numbers (PANs) in free text. The contract carries cards only as tokens, but a producer may type a number into
// a descriptor, a legal name or a URL; decode truncates it before anything is kept, and logs and the outputs truncate
// it again wherever text reaches them. Truncated means the first six and last four digits, the most PCI DSS lets a
// display show.

/**
 * A card number as free text may hold one (a descriptor, a URL's path or query, an error quoting either): 13 to 19
 * digits, grouped by single spaces or dashes or not, not part of a longer token (a hex hash, an id). A slash ends a
 * token: a path segment of digits alone may be a card number (base64 with 13 digits in a row between slashes is
 * too rare to guard).
 */
const CARD_NUMBER = /(?<![0-9a-z+])\d(?:[ -]?\d){12,18}(?![0-9a-z+])/gi;
const SEPARATORS = /[ -]/g;

/** The fewest digits a card number has. */
const MIN_DIGITS = 13;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Whether `text` holds a run of at least 13 digits, single spaces or dashes between digits allowed: the cheap test
 * (one pass over the char codes, nothing allocated) that spares nearly all text the regular expression.
 */
export function mayHoldCardNumber(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (++digits >= MIN_DIGITS) return true;
    } else if (!((c === 32 || c === 45) && digits > 0 && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)))) {
      digits = 0;
    }
  }
  return false;
}

/** Whether the digits pass the Luhn check every card number passes (most other long numbers do not). */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Whether the digits can be an issued card number by how they begin (ISO/IEC 7812). No card begins with 0 or 20, and
 * one beginning with 1 has 15 digits (UATP, JCB's old 1800): so a time, a tenth of which pass Luhn's check, is not
 * taken for a card, whatever its unit (epoch milliseconds, microseconds and nanoseconds begin with 1 until 2286, a
 * compact date and time such as 20260301093000123 with 20 until 2100), nor is a run of zeros.
 */
const issuable = (digits: string): boolean => digits[0] !== "0" && (digits[0] === "1" ? digits.length === 15 : !digits.startsWith("20"));

/**
 * `text` with every card number in it truncated to its first six and last four digits (400012******9017); other
 * numbers as they are. The same string when it holds none.
 */
export function maskCardNumbers(text: string): string {
  if (!mayHoldCardNumber(text)) return text;
  return text.replace(CARD_NUMBER, (run) => {
    const digits = run.replace(SEPARATORS, "");
    return issuable(digits) && luhn(digits) ? `${digits.slice(0, 6)}${"*".repeat(digits.length - 10)}${digits.slice(-4)}` : run;
  });
}
