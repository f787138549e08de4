// Billing descriptor normalisation, so that "T0K-ALPHA*Clüb 0201234567" and "tok alpha club" compare equal.
// Steps (documented in the README): letters and digits drawn in symbols NFKD leaves whole (🅰, ❹, regional indicators
// as a word of their own) as those; Unicode NFKD (a sign it writes as letters, such as ™, a word of its own; a letter in
// brackets, ⒜, the letter) with diacritics and invisible characters removed; digits of other scripts as ASCII digits; letters of other scripts drawn
// like Latin ones read as those, in a descriptor with Latin letters (see latinReading); lowercase; every run of
// characters other than letters and digits becomes one space; tokens made only of digits are dropped (phone numbers,
// references, which churn on their own); in tokens that mix letters and digits, look-alike digits become letters.
// Keywords are matched in a form of their own (keywordForm), which keeps digits that churn has no use for, and holds
// the order drawn as well as the order stored when a right-to-left override reverses letters, and a separator drawn
// like a letter (| for l) as a letter as well as a separator.
import { INVISIBLE, LOOK_ALIKES } from "./confusables.js";
import { Last } from "./memo.js";

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g" };
const LETTER = /\p{L}/u;
const ASCII_DIGIT = /[0-9]/;
// most tokens hold no digit: a test, not a replace with a callback (which runs the regexp through its slow path)
const leet = (token: string): string => (ASCII_DIGIT.test(token) ? token.replace(/[0-9]/g, (d) => LEET[d] ?? d) : token);

export function normaliseDescriptor(raw: string): string {
  return normalised.get(raw);
}
// several rules look at the same descriptor of the same event: the last answer is kept (as for keywordForm)
const normalised = new Last(normalise);

/** The descriptor's tokens: as a Latin reader reads it (plainLetters), lowercase, @ and $ as letters, split on everything else. */
function tokensOf(raw: string, ascii = !NON_ASCII.test(raw)): string[] {
  // most descriptors are ASCII, which the Unicode steps leave as it is: they are spared them (the hot path)
  return (ascii ? raw : plainLetters(raw))
    .toLowerCase()
    // @ and $ are look-alikes for letters in obfuscated descriptors, not separators
    .replace(/@/g, "a")
    .replace(/\$/g, "s")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const NON_ASCII = /[^\x00-\x7f]/;
const LATIN = /\p{Script=Latin}/u;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * NFKD (fullwidth and mathematical letters as plain ones) without diacritics and invisible characters, digits of other
 * scripts as ASCII ones, read as Latin.
 */
function plainLetters(raw: string): string {
  const text = raw.replace(REGIONAL, regionalWord).replace(ENCLOSED, enclosedReading).replace(SIGN, signWord).normalize("NFKD").replace(INVISIBLE, "").replace(OTHER_DIGIT, asciiDigit);
  // CAFÉ without its accent is ASCII again: no look-alike to read
  return NON_ASCII.test(text) && LATIN.test(text) ? text.replace(WORD, latinReading) : text;
}

const SIGN = /\p{S}/gu;
const ALPHANUMERIC = /[\p{L}\p{N}]/gu;
const BRACKETED = /^\((\p{L})\)$/u;
/**
 * A sign that NFKD writes as letters (™ as TM, № as No) as a word of its own: glued on, they would make a longer word;
 * a letter in brackets (⒜, 🄐) as the letter, as NFKD reads a circled Ⓐ.
 */
function signWord(sign: string): string {
  const letters = sign.normalize("NFKD");
  const bracketed = BRACKETED.exec(letters);
  if (bracketed) return bracketed[1]!;
  return (letters.match(ALPHANUMERIC)?.length ?? 0) > 1 ? ` ${letters} ` : sign;
}

// Regional indicator symbols, 🇦 to 🇿: two make a flag (🇫🇷), often put before a name, so a run of them is a word of
// its own, its letters as written: a flag glued to a name leaves the name whole, and a word spelt in them is that word
const REGIONAL = /[\u{1f1e6}-\u{1f1ff}]+/gu;
const regionalWord = (run: string): string => ` ${[...run].map((c) => String.fromCharCode(c.codePointAt(0)! - 0x1f1e6 + 65)).join("")} `;

/**
 * Letters and digits drawn in a symbol that NFKD leaves whole (it reads circled Ⓐ and squared 🄰 itself), from the
 * Unicode charts: each range's first code point and what it reads; the rest of the range follows in order.
 * Negative circled 🅐 and negative squared 🅰 capitals; dingbat negative circled ❶, circled sans-serif ➀ and negative
 * circled sans-serif ➊ digits 1 to 9 (10 is left: no digit); negative circled ⓿ and dingbat circled sans-serif 🄋 and
 * negative 🄌 zeros.
 */
const ENCLOSED_RANGES: [first: number, last: number, reads: string][] = [
  [0x1f150, 0x1f169, "A"],
  [0x1f170, 0x1f189, "A"],
  [0x2776, 0x277e, "1"],
  [0x2780, 0x2788, "1"],
  [0x278a, 0x2792, "1"],
  [0x24ff, 0x24ff, "0"],
  [0x1f10b, 0x1f10b, "0"],
  [0x1f10c, 0x1f10c, "0"],
];
const hex = (at: number): string => `\\u{${at.toString(16)}}`;
const ENCLOSED = new RegExp(`[${ENCLOSED_RANGES.map(([a, b]) => `${hex(a)}-${hex(b)}`).join("")}]`, "gu");
function enclosedReading(c: string): string {
  const at = c.codePointAt(0)!;
  const [first, , reads] = ENCLOSED_RANGES.find(([a, b]) => a <= at && at <= b)!;
  return String.fromCharCode(reads.charCodeAt(0) + at - first);
}

const DIGIT = /\p{Nd}/u;
const OTHER_DIGIT = /(?![0-9])\p{Nd}/gu;
/**
 * A decimal digit of another script (Arabic-Indic ٢, Devanagari २) as the ASCII digit of its value, so that a number
 * glued on (TOKALPHA٢٤) is one as in ASCII. Unicode encodes every script's digits 0 to 9 in a row of ten, in order.
 */
function asciiDigit(digit: string): string {
  const at = digit.codePointAt(0)!;
  let zero = at;
  while (DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  return String((at - zero) % 10);
}

/**
 * A word of a descriptor that has Latin letters, with its look-alikes (LOOK_ALIKES: Cyrillic А, Greek Ο, ...) read as
 * the Latin letters they are drawn like, when it mixes them with Latin letters (ТОКАLРНА, Cyrillic but for the L) or is
 * made of look-alikes only (ТОКАӀРНА beside CLUB): a cardholder reads TOKALPHA. A word with a letter no Latin one looks
 * like (Cyrillic ДОМ) is a word of its script and stays as written; so is a descriptor without Latin letters, wholly
 * Cyrillic or Greek: МОРЕ is drawn like MOPE but says "sea" in Russian, and a keyword listed in its script matches it as
 * written. (An evader who writes the whole descriptor in look-alikes is not caught so: see the README.)
 */
function latinReading(word: string): string {
  if (!NON_ASCII.test(word)) return word;
  let mapped = "";
  let latin = false;
  let foreign = false;
  let letters = false;
  for (const c of word) {
    const reading = LOOK_ALIKES.get(c);
    mapped += reading ?? c;
    if (!LETTER.test(c)) continue;
    letters = true;
    if (reading !== undefined) continue;
    if (LATIN.test(c)) latin = true;
    else foreign = true;
  }
  return latin || (letters && !foreign) ? mapped : word;
}

function normalise(raw: string): string {
  const tokens: string[] = [];
  for (const token of tokensOf(raw)) if (LETTER.test(token)) tokens.push(leet(token));
  return tokens.join(" ");
}

/**
 * The descriptor as keywords are matched in: normalised, but (1) tokens of digits are kept, look-alikes as letters,
 * since a keyword may be spelt out with a digit on its own (`T.0.K.ALPHA`, `TOK 4 LPHA`); (2) digits at either end
 * of a word are a token of their own, since a number glued to a keyword (`TOKALPHA24`, `2TOKALPHA`) makes no
 * longer word. A look-alike digit there may still be a letter: as runs of tokens are joined, `TOKALPH4` still
 * reads `tokalpha` (and also `tokalph`). Letters never split a word: `TOKALPHABET` holds no `tokalpha`.
 * Not for descriptor-churn: a reference number that changes is no new name.
 */
export function keywordForm(raw: string): string {
  return keywordForms.get(raw);
}
const keywordForms = new Last((raw) => {
  // most descriptors are ASCII, where | is the only such symbol, and have neither it nor an override: one reading (the
  // ASCII test, which tokensOf makes too, made once)
  const ascii = !NON_ASCII.test(raw);
  const stored = keywordTokens(raw, ascii).join(" ");
  return (ascii ? raw.includes("|") : raw.includes(RLO) || SYMBOL_LETTER.test(raw)) ? withOtherReadings(raw, stored) : stored;
});

/** The stored reading, then the other readings (see below), each once, with a barrier between two. */
function withOtherReadings(raw: string, stored: string): string {
  const orders = raw.includes(RLO) ? [raw, drawnOrder(raw)] : [raw];
  const readings = SYMBOL_LETTER.test(raw) ? orders.flatMap((r) => [r, r.replace(SYMBOL_BESIDE_LETTER, (c) => SYMBOL_LETTERS[c]!)]) : orders;
  // a symbol with no letter beside it leaves its letter reading as the separator one
  return [...new Set([stored, ...readings.slice(1).map((r) => keywordTokens(r).join(" "))])].join(` ${BARRIER} `);
}

// Symbols drawn like a letter that descriptors also use as separators (SHOP|LONDON): | and ¦ like l (or a capital I,
// compared as l), ¡ like i, ℮ like e. The keyword form holds the separator reading and, after a barrier as for an
// override, one with each such symbol beside a letter read as its letter (TOKA|PHA, MODE|): a symbol with space or
// digits on both sides (SHOP | LONDON, 12|34) is a separator in both. Churn reads the separator reading only.
const SYMBOL_LETTERS: Record<string, string> = { "|": "l", "\u00a6": "l", "\u00a1": "i", "\u212e": "e" };
const SYMBOL_LETTER = /[|\u00a6\u00a1\u212e]/;
const SYMBOL_BESIDE_LETTER = /(?<=\p{L})[|\u00a6\u00a1\u212e]|[|\u00a6\u00a1\u212e](?=\p{L})/gu;

// A right-to-left override draws what follows it, up to a pop (U+202C) or the end, in reverse: <RLO>AHPLAKOT shows
// TOKALPHA. The keyword form then holds both readings, the stored one and the one drawn, with a token between them that
// no keyword holds (keywords are letters and digits), so that no run joins the end of one to the start of the other.
// (A nested embedding inside the override is left in stored order.)
const RLO = "\u202e";
const OVERRIDDEN = /\u202e([^\u202a-\u202e\u2066-\u2069]*)\u202c?/gu;
const BARRIER = "|";
const drawnOrder = (raw: string): string => raw.replace(OVERRIDDEN, (_, run: string) => [...run].reverse().join(""));

const EDGE_DIGITS = /^([0-9]*)(.*?)([0-9]*)$/su;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function keywordTokens(raw: string, ascii?: boolean): string[] {
  const tokens: string[] = [];
  for (const token of tokensOf(raw, ascii)) {
    // a token with no digit at either end (most) is one word: the split below would give it whole
    if (!isDigit(token.charCodeAt(0)) && !isDigit(token.charCodeAt(token.length - 1))) {
      tokens.push(leet(token));
      continue;
    }
    const [, lead, word, trail] = EDGE_DIGITS.exec(token)!;
    if (lead && word) tokens.push(leet(lead));
    tokens.push(leet(word || lead!));
    if (trail) tokens.push(leet(trail));
  }
  return tokens;
}

// A keyword and the descriptor's runs are compared with i and l as one letter: a 1 (read i above) and a capital I
// stand for an l as often as for an i (C1UB, CIUB for CLUB). (A letter with a stroke, TØKAŁPHA, is read as the letter
// under it by tokensOf, see LOOK_ALIKES.)
const comparable = (text: string): string => text.replace(/i/g, "l");

/**
 * True when the keyword occurs in the descriptor on word boundaries, whatever separators were put inside it:
 * the keyword (compactKeyword) must equal one token or a run of consecutive tokens joined of the descriptor's
 * keywordForm, so "tok alpha", "t.0.k.alpha" and "tokalpha24" match the keyword "tokalpha" but "tokalphabet" does not.
 */
export function containsKeyword(keywordFormOfDescriptor: string, compactKeyword: string): boolean {
  return compactKeyword !== "" && keywordRuns(keywordFormOfDescriptor, compactKeyword.length).includes(compactKeyword);
}

/**
 * Every token and run of consecutive tokens joined, from each start until a run reaches `maxLength`: the only
 * strings a keyword of at most that length can equal on word boundaries.
 */
export function keywordRuns(keywordFormOfDescriptor: string, maxLength: number): string[] {
  const tokens = comparable(keywordFormOfDescriptor).split(" ");
  const runs: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let joined = "";
    for (let j = i; j < tokens.length && joined.length < maxLength; j++) {
      joined += tokens[j];
      runs.push(joined);
    }
  }
  return runs;
}

/** A keyword in the form containsKeyword expects; empty when it has no letter (a number alone is no keyword). */
export function compactKeyword(raw: string): string {
  return tokensOf(raw).some((t) => LETTER.test(t)) ? comparable(keywordTokens(raw).join("")) : "";
}
