// Keyword evasions with Unicode: letters of other scripts that look Latin (Cyrillic Т, О, К, А, Р, Н in a Latin
// descriptor), invisible characters inside a word, fullwidth and mathematical letters. Each is read as the letters a
// cardholder sees, in descriptors and keywords alike, by descriptor-keywords and by descriptor-churn; a descriptor
// written wholly in another script keeps matching only what it says. Non-Latin letters are written as escapes here:
// in a literal, Cyrillic а and Latin a cannot be told apart.
import { beforeEach, describe, expect, it } from "vitest";
import { compactKeyword, containsKeyword, keywordForm, normaliseDescriptor } from "../src/lib/descriptor.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { keywordRule } from "./helpers/rules.js";

const has = (descriptor: string, keyword: string) => containsKeyword(keywordForm(descriptor), compactKeyword(keyword));

/** "ТОКА" in Cyrillic capitals */
const TOKA = "\u0422\u041e\u041a\u0410";
/** "РНА" in Cyrillic capitals */
const PHA = "\u0420\u041d\u0410";

// the cardholder reads each as TOKALPHA
const LOOK_ALIKES: [string, string][] = [
  ["Cyrillic capitals around a Latin L", `${TOKA}L${PHA} CLUB`],
  ["Cyrillic capitals, L as Cyrillic palochka, beside a Latin word", `${TOKA}\u04c0${PHA} CLUB`],
  ["Greek capitals around a Latin L", "\u03a4\u039f\u039a\u0391L\u03a1\u0397\u0391"],
  ["Cyrillic small o and a in Latin", "t\u043ek\u0430lph\u0430"],
  ["Cyrillic small te, whose capital looks like T", "\u0442okalpha"],
  ["Cyrillic dotted i for the l, mixed case", "TOKA\u0456PHA"],
  ["Latin small capitals", "\u1d1b\u1d0f\u1d0b\u1d00\u029f\u1d18\u029c\u1d00"],
  ["Cherokee and Lisu capitals among Latin ones", "\u13a2OKALP\ua4e7A"],
  ["Cyrillic with a digit glued on", `${TOKA}L${PHA}24`],
];

// invisible characters a cardholder does not see: the word reads whole
const INVISIBLE: [string, string][] = [
  ["zero-width space", "TOK\u200bALPHA"],
  ["zero-width non-joiner next to a look-alike digit", "TOKALPH\u200c4"],
  ["zero-width joiner between look-alike digits", "T0K\u200d4LPHA"],
  ["soft hyphen", "TOK\u00adALPHA"],
  ["word joiner", "TO\u2060KAL\u2060PHA"],
  ["byte-order mark", "\ufeffTOKALPHA\ufeff"],
  ["bidi override", "TOK\u202eALPHA\u202c"],
  ["bidi isolate", "TOK\u2066ALPHA\u2069"],
  ["combining grapheme joiner", "TOK\u034fALPHA"],
  ["Hangul filler, a letter drawn as nothing", "TOK\u3164ALPHA"],
];
// ... and a longer word stays one word: these are TOKALPHABET and XTOKALPHA to the eye
const INVISIBLE_LONGER: [string, string][] = [
  ["zero-width space", "TOKALPHA\u200bBET"],
  ["soft hyphen", "TOKALPHA\u00adBET"],
  ["zero-width non-joiner", "X\u200cTOKALPHA"],
  ["word joiner before look-alike digits", "TOKALPHA\u2060B3T"],
  ["bidi isolate", "TOKALPHA\u2066BET\u2069"],
];

const WIDE: [string, string][] = [
  ["fullwidth", "\uff34\uff2f\uff2b\uff21\uff2c\uff30\uff28\uff21"],
  ["fullwidth with fullwidth digits", "\uff34\uff2f\uff2b\uff21\uff2c\uff30\uff28\uff21\uff12\uff14"],
  ["mathematical bold", "\u{1d413}\u{1d40e}\u{1d40a}\u{1d400}\u{1d40b}\u{1d40f}\u{1d407}\u{1d400}"],
  ["mathematical fraktur, small", "\u{1d531}\u{1d52c}\u{1d528}\u{1d51e}\u{1d529}\u{1d52d}\u{1d525}\u{1d51e}"],
  ["mathematical double-struck", "\u{1d54b}\u{1d546}\u{1d542}\u{1d538}\u{1d543}\u2119\u210d\u{1d538}"],
  ["circled", "\u24c9\u24c4\u24c0\u24b6\u24c1\u24c5\u24bd\u24b6"],
];

beforeEach(() => resetEvents());

describe("letters of other scripts that look Latin", () => {
  it.each(LOOK_ALIKES)("%s: contains tokalpha", (_, d) => expect(has(d, "tokalpha")).toBe(true));

  it("keeps word boundaries: a look-alike spelling of a longer word holds no keyword", () => {
    expect(has(`${TOKA}L${PHA}BET`, "tokalpha")).toBe(false);
    expect(has(`X${TOKA}L${PHA}`, "tokalpha")).toBe(false);
    // a letter with no Latin look-alike (Cyrillic Д) is no letter of the keyword
    expect(has(`${TOKA}L${PHA}\u0414`, "tokalpha")).toBe(false);
  });

  it("leaves a descriptor wholly in Cyrillic or Greek as it is written: a real word there is no Latin keyword", () => {
    // МОРЕ (Russian: sea) and СОК (juice) are drawn like MOPE and COK, and are no such words
    expect(has("\u041c\u041e\u0420\u0415", "mope")).toBe(false);
    expect(has("\u041c\u041e\u0420\u0415 \u0422\u0423\u0420", "mope")).toBe(false);
    expect(has("\u0421\u041e\u041a 24", "cok")).toBe(false);
    // ΚΑΦΕ ΤΟ ΝΕΟ (Greek): ΤΟ is drawn like TO
    expect(has("\u039a\u0391\u03a6\u0395 \u03a4\u039f \u039d\u0395\u039f", "to neo")).toBe(false);
    // КЛУБ (club) is no look-alike of CLUB at all, and a keyword written in Cyrillic matches it as written
    expect(has("\u041a\u041b\u0423\u0411 24", "club")).toBe(false);
    expect(has("\u041a\u041b\u0423\u0411 24", "\u043a\u043b\u0443\u0431")).toBe(true);
    expect(keywordForm("\u041c\u041e\u0420\u0415")).toBe("\u043c\u043e\u0440\u0435");
  });

  it("in a descriptor with Latin letters, maps a foreign word only when every letter of it looks Latin", () => {
    // ДОМ (house): Д has no Latin look-alike, so the word is left whole
    expect(keywordForm("HOTEL \u0414\u041e\u041c")).toBe("hotel \u0434\u043e\u043c");
    expect(keywordForm(`CLUB ${TOKA}\u04c0${PHA}`)).toBe("club tokalpha");
  });

  it("reads a keyword the same way", () => {
    expect(compactKeyword(`${TOKA}L${PHA}`)).toBe("tokalpha");
    expect(has("TOKALPHA", `${TOKA}L${PHA}`)).toBe(true);
    // a keyword in Cyrillic alone stays Cyrillic
    expect(compactKeyword("\u043a\u043b\u0443\u0431")).toBe("\u043a\u043b\u0443\u0431");
  });

  it("gives churn the same name for a swapped letter: the same brand", () => {
    expect(normaliseDescriptor(`${TOKA}L${PHA} CLUB 0201234567`)).toBe(normaliseDescriptor("TOKALPHA CLUB 0207654321"));
    expect(normaliseDescriptor("TOK\u200bALPHA CLUB")).toBe(normaliseDescriptor("TOKALPHA CLUB"));
  });
});

describe("Latin letters with a hook, bar or stroke, which NFKD leaves whole", () => {
  it("are the letter under the hook, bar or stroke, in descriptors and keywords alike", () => {
    // T with hook, K with hook, H with descender, C with hook
    expect(has("\u01acOKALPHA", "tokalpha")).toBe(true);
    expect(has("TO\u0198ALPHA", "tokalpha")).toBe(true);
    expect(has("TOKALP\u2c67A CLUB", "tokalpha")).toBe(true);
    expect(has("TOKALPHA \u0187LUB", "club")).toBe(true);
    expect(has("TOKALPHA", "\u01adokalpha")).toBe(true);
    expect(has("\u01acOKALPHABET", "tokalpha")).toBe(false);
  });

  it("gives churn the same name: a swapped letter is the same brand", () => {
    expect(normaliseDescriptor("\u01acOKALPHA CLUB")).toBe("tokalpha club");
    expect(normaliseDescriptor("T\u00d8KA\u0141PHA CLUB")).toBe("tokalpha club");
  });
});

describe("invisible and format characters", () => {
  it.each(INVISIBLE)("%s inside the word: contains tokalpha", (_, d) => expect(has(d, "tokalpha")).toBe(true));
  it.each(INVISIBLE_LONGER)("%s inside a longer word: no tokalpha", (_, d) => expect(has(d, "tokalpha")).toBe(false));

  it("is dropped from a keyword too", () => {
    expect(compactKeyword("tok\u200balpha")).toBe("tokalpha");
    expect(compactKeyword("\u200b\u200b")).toBe("");
  });
});

describe("digits of other scripts", () => {
  it("are read as the digits they are: a number glued on makes no longer word", () => {
    // Arabic-Indic 24, Devanagari 2, Bengali 0 and 7
    expect(has("TOKALPHA\u0662\u0664", "tokalpha")).toBe(true);
    expect(has("\u0968TOKALPHA", "tokalpha")).toBe(true);
    expect(has("TOKALPHA*CLUB \u09e6\u09ed", "club")).toBe(true);
    expect(keywordForm("TOKALPHA\u0662\u0664")).toBe("tokalpha 2a");
    expect(has("TOKALPHA\u0662\u0664BET", "tokalpha")).toBe(false);
    // a zero drawn like O (Devanagari) is a 0, and a 0 in a word reads o
    expect(has("T\u0966KALPHA", "tokalpha")).toBe(true);
  });

  it("churn reads them as the same digits: the number glued on is the one it would be in ASCII", () => {
    expect(normaliseDescriptor("TOKALPHA\u0662\u0664 CLUB")).toBe(normaliseDescriptor("TOKALPHA24 CLUB"));
    expect(normaliseDescriptor("CLUB \u0661\u0662\u0663")).toBe("club");
  });
});

describe("fullwidth and mathematical letters", () => {
  it.each(WIDE)("%s: contains tokalpha", (_, d) => expect(has(d, "tokalpha")).toBe(true));

  it("a sign NFKD writes as letters (™ as TM, № as No) is a word of its own, not letters glued onto the brand", () => {
    expect(keywordForm("TOKALPHA\u2122")).toBe("tokalpha tm");
    expect(has("TOKALPHA\u2122", "tokalpha")).toBe(true);
    expect(has("TOKALPHA\u2120 CLUB", "tokalpha")).toBe(true);
    expect(has("\u2116TOKALPHA", "tokalpha")).toBe(true);
    expect(normaliseDescriptor("TOKALPHA\u2122 CLUB")).toBe("tokalpha tm club");
    // a sign for one letter stays a letter of its word: circled TOKALPHABET holds no tokalpha
    expect(has("\u24c9\u24c4\u24c0\u24b6\u24c1\u24c5\u24bd\u24b6\u24b7\u24ba\u24c9", "tokalpha")).toBe(false);
  });
  it("keeps word boundaries", () => {
    expect(has("\uff34\uff2f\uff2b\uff21\uff2c\uff30\uff28\uff21\uff22\uff25\uff34", "tokalpha")).toBe(false);
    expect(keywordForm("\uff34\uff2f\uff2b\uff21\uff2c\uff30\uff28\uff21\uff12\uff14")).toBe("tokalpha 2a");
  });
});

describe("descriptor-keywords and descriptor-churn on Unicode evasions", () => {
  const SET = indicatorSet([{ id: "kw-a", kind: "keyword", value: "tokalpha", confidence: 75 }], { id: "kw-set", source: "member:hotline-test" });
  const EVASIONS = [...LOOK_ALIKES, ...INVISIBLE, ...WIDE].map(([what, d]) => [what, d] as const);

  it.each(EVASIONS)("%s: an indicator set's keyword matches, in a profile and in a sale", (_, descriptor) => {
    const engine = engineWith(keywordRule(), SET);
    feed(engine, [merchant({ descriptor })]);
    expect(signalOf(engine, "kw")?.indicators).toMatchObject([{ id: "kw-a" }]);
    const sale = engineWith(keywordRule(), SET);
    feed(sale, [merchant(), tx({ descriptor })]);
    expect(signalOf(sale, "kw")?.detail).toBe(`"${descriptor}"`);
  });

  it.each(EVASIONS)("%s: the rule's own keyword matches", (_, descriptor) => {
    const engine = engineWith(keywordRule("[tokalpha]"));
    feed(engine, [merchant({ descriptor })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 1 });
  });

  it("a keyword of the rule's own list or of a set written with look-alikes matches the plain descriptor", () => {
    const own = engineWith(keywordRule(`["${TOKA}L${PHA}"]`));
    feed(own, [merchant({ descriptor: "TOKALPHA CLUB" })]);
    expect(signalOf(own, "kw")).toMatchObject({ value: 1 });
    const listed = engineWith(keywordRule(), indicatorSet([{ id: "kw-b", kind: "keyword", value: `t\u043ek\u0430lph\u0430`, confidence: 75 }]));
    feed(listed, [merchant({ descriptor: "TOKALPHA CLUB" })]);
    expect(signalOf(listed, "kw")?.indicators).toMatchObject([{ id: "kw-b" }]);
  });

  it.each([...INVISIBLE_LONGER, ["all-Cyrillic МОРЕ for mope", "\u041c\u041e\u0420\u0415"] as [string, string]])("%s: neither matches", (_, descriptor) => {
    const engine = engineWith(keywordRule("[tokalpha, mope]"), SET);
    feed(engine, [merchant({ descriptor })]);
    expect(signalOf(engine, "kw")).toBeUndefined();
  });

  const CHURN = `
  - id: churn
    kind: descriptor-churn
    weight: 30
    typology: brand-churn
    params: { distinct: 2, withinDays: 30 }
`;
  it("descriptor-churn counts a letter swapped for a look-alike, or an invisible character put in, as no new name", () => {
    const engine = engineWith(CHURN);
    feed(engine, ["TOKALPHA CLUB", `${TOKA}L${PHA} CLUB`, "TOK\u200bALPHA C\u200bLUB", "\uff34OKALPHA CLUB"].map((descriptor) => tx({ descriptor })));
    expect(signalOf(engine, "churn")).toBeUndefined();
    feed(engine, [tx({ descriptor: "OTHERNAME CLUB" })]);
    expect(signalOf(engine, "churn")).toMatchObject({ value: 2 });
  });
});
