// Letters and digits drawn in symbols: regional indicators (🇦, two of which make a flag), negative circled 🅐 and
// squared 🅰 letters, parenthesized ⒜ and 🄐 letters, dingbat circled digits (❹ ➃ ➍ ⓿). NFKD reads a circled Ⓐ, a
// squared 🄰, fullwidth and mathematical letters as their letter, but not these: they were dropped as separators, so
// a keyword spelt in them matched nothing. Symbols are written as escapes: several render as emoji.
import { beforeEach, describe, expect, it } from "vitest";
import { compactKeyword, containsKeyword, keywordForm, normaliseDescriptor } from "../src/lib/descriptor.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf } from "./helpers/events.js";

const has = (descriptor: string, keyword: string) => containsKeyword(keywordForm(descriptor), compactKeyword(keyword));
/** TOKALPHA, each capital written as the code point `first` + its place in the alphabet */
const spelt = (first: number, word = "TOKALPHA") => [...word].map((c) => String.fromCodePoint(first + c.charCodeAt(0) - 65)).join("");

const REGIONAL = 0x1f1e6;
const NEGATIVE_CIRCLED = 0x1f150;
const NEGATIVE_SQUARED = 0x1f170;
const PARENTHESIZED_SMALL = 0x249c;
const PARENTHESIZED_CAPITAL = 0x1f110;

beforeEach(() => resetEvents());

describe("a descriptor spelt in enclosed letters", () => {
  it.each([
    ["regional indicators", spelt(REGIONAL)],
    ["negative circled letters", spelt(NEGATIVE_CIRCLED)],
    ["negative squared letters", spelt(NEGATIVE_SQUARED)],
    ["parenthesized small letters", spelt(PARENTHESIZED_SMALL)],
    ["parenthesized capitals", spelt(PARENTHESIZED_CAPITAL)],
    ["a negative squared O among Latin letters", "T\u{1f17e}KALPHA"],
    ["a dingbat negative circled zero for the O", "T\u24ffKALPHA"],
    ["a dingbat circled sans-serif 4 for the A", "TOK\u2783LPHA"],
    ["a dingbat negative circled sans-serif 4 for the A", "TOK\u278dLPHA"],
    ["a dingbat negative circled 4 for the A", "TOK\u2779LPHA"],
    // already read by NFKD: a guard
    ["circled letters", spelt(0x24b6)],
    ["squared letters", spelt(0x1f130)],
    ["mathematical script (the B, H, L of another block)", "\u{1d4af}\u{1d4aa}\u{1d4a6}\u{1d49c}\u2112\u{1d4ab}\u210b\u{1d49c}"],
  ])("%s: reads tokalpha", (_, descriptor) => {
    expect(normaliseDescriptor(descriptor)).toBe("tokalpha");
    expect(has(descriptor, "tokalpha")).toBe(true);
    expect(has(`${descriptor} CLUB`, "tokalpha club")).toBe(true);
  });

  it("reads regional indicators as a word of their own: a flag before a name leaves the name whole", () => {
    // the flag of France, then the name
    expect(normaliseDescriptor("\u{1f1eb}\u{1f1f7}TOKALPHA")).toBe("fr tokalpha");
    expect(has("\u{1f1eb}\u{1f1f7}TOKALPHA", "tokalpha")).toBe(true);
    expect(has(`TOK${spelt(REGIONAL, "ALPHA")}`, "tokalpha")).toBe(true);
  });

  it("leaves a longer word longer: TOKALPHABET in negative squared letters is no tokalpha", () => {
    expect(has(spelt(NEGATIVE_SQUARED, "TOKALPHABET"), "tokalpha")).toBe(false);
  });

  it("matches an indicator set's keyword in a merchant's descriptor, and the keyword spelt so", () => {
    const engine = engineWith(
      `
  - id: kw
    kind: descriptor-keywords
    weight: 80
    typology: flagged-descriptor
    params: { minConfidence: 50, keywords: ["${spelt(NEGATIVE_CIRCLED, "CLUB")}"] }`,
      indicatorSet([{ id: "kw", kind: "keyword", value: "tokalpha" }]),
    );
    feed(engine, [merchant({ descriptor: `${spelt(NEGATIVE_SQUARED)} ${spelt(REGIONAL, "CLUB")}` })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 2, indicators: [{ id: "kw" }] });
  });
});
