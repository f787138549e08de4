// Keyword evasions with digits: spelt out with a digit on its own, or with a number glued to the keyword. Matched in
// the descriptor's keyword form, by the rule's own keywords and by indicator sets, while descriptor-churn still
// sees a changed reference number as no new name.
import { beforeEach, describe, expect, it } from "vitest";
import { compactKeyword, containsKeyword, keywordForm, normaliseDescriptor } from "../src/lib/descriptor.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { keywordRule } from "./helpers/rules.js";

const has = (descriptor: string, keyword: string) => containsKeyword(keywordForm(descriptor), compactKeyword(keyword));

// 1 (and a capital I) stand for an l as often as for an i
const EVASIONS = ["T.0.K.ALPHA", "T-0-K-4-L-P-H-4", "TOK 4 LPHA", "TOKALPHA2", "TOKALPHA24", "TOKALPHA24*CLUB", "24TOKALPHA", "TOKALPH4 7", "T0K4LPH4", "T0KA1PHA", "TOKAIPHA*CLUB", "T.O.K.A.1.P.H.A"];
const LONGER = ["TOKALPHABET", "TOKALPHA2BET", "XTOKALPHA", "TOK ALPHABET", "TOKALPHAB3T", "ATOK 4LPHA"];

beforeEach(() => resetEvents());

describe("keyword form", () => {
  it.each(EVASIONS)("%j contains tokalpha", (d) => expect(has(d, "tokalpha")).toBe(true));
  it.each(LONGER)("%j does not contain tokalpha", (d) => expect(has(d, "tokalpha")).toBe(false));

  it("keeps digits that churn's normalisation drops, in their own tokens", () => {
    expect(keywordForm("T.0.K.ALPHA 0201234567")).toBe("t o k alpha o2oi2eas6t");
    expect(keywordForm("TOKALPHA24")).toBe("tokalpha 2a");
    expect(keywordForm("2TOKALPHA")).toBe("2 tokalpha");
    // a word with digits inside stays one word
    expect(keywordForm("T0K4LPHABET")).toBe("tokalphabet");
  });

  it("1 stands for l as for i, in descriptors and keywords alike", () => {
    expect(has("C1UB TOKALPHA", "club")).toBe(true);
    expect(has("CLUB", "c1ub")).toBe(true);
    expect(has("M1X", "mix")).toBe(true);
    expect(has("CLUBS", "club")).toBe(false);
  });

  it("a letter with a stroke, which NFKD does not take apart, is the letter under it, in descriptors and keywords alike", () => {
    expect(has("TØKALPHA", "tokalpha")).toBe(true);
    expect(has("tokałpha club", "tokalpha")).toBe(true);
    expect(has("TOKALPHA", "tøkałpha")).toBe(true);
    expect(has("ĐOMAIN ĦUB ŦOK", "domain hub tok")).toBe(true);
    expect(has("TØKALPHABET", "tokalpha")).toBe(false);
  });

  it("a keyword is read the same way; one without letters is none", () => {
    expect(compactKeyword("Tok Alpha")).toBe("tokalpha");
    expect(compactKeyword("club 24")).toBe("club2a");
    expect(has("CLUB24", "club 24")).toBe(true);
    expect(has("CLUB", "club 24")).toBe(false);
    expect(compactKeyword("123")).toBe("");
  });

  it("leaves churn's normalisation alone: a changed number is no new name", () => {
    expect(normaliseDescriptor("TOKALPHA 4")).toBe(normaliseDescriptor("TOKALPHA 7"));
    expect(normaliseDescriptor("T.0.K.ALPHA")).toBe("t k alpha");
  });
});

describe("descriptor-keywords on evasions with digits", () => {
  const SET = indicatorSet([{ id: "kw-a", kind: "keyword", value: "tokalpha", confidence: 75 }], { id: "kw-set", source: "member:hotline-test" });

  it.each(EVASIONS)("an indicator set's keyword matches %j, in a profile and in a sale", (descriptor) => {
    const engine = engineWith(keywordRule(), SET);
    feed(engine, [merchant({ descriptor })]);
    expect(signalOf(engine, "kw")?.indicators).toMatchObject([{ id: "kw-a" }]);
    const sale = engineWith(keywordRule(), SET);
    feed(sale, [merchant(), tx({ descriptor })]);
    expect(signalOf(sale, "kw")?.detail).toBe(`"${descriptor}"`);
  });

  it.each(EVASIONS)("the rule's own keyword matches %j", (descriptor) => {
    const engine = engineWith(keywordRule("[tokalpha]"));
    feed(engine, [merchant({ descriptor })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 1, detail: `"${descriptor}"` });
  });

  it.each(LONGER)("neither matches %j", (descriptor) => {
    const engine = engineWith(keywordRule("[tokalpha]"), SET);
    feed(engine, [merchant({ descriptor })]);
    expect(signalOf(engine, "kw")).toBeUndefined();
  });
});

describe("descriptor-keywords: the rule's own keywords", () => {
  const rule = (keywords: string) => `
  - id: kw
    kind: descriptor-keywords
    weight: 80
    typology: flagged-descriptor
    params: { keywords: ${keywords} }
`;

  it("refuses one without letters, which could never match, naming it", () => {
    expect(() => engineWith(rule('[tokalpha, "24"]'))).toThrow(/params\.keywords\[1\]: has no letters, so it could never match a descriptor/);
    expect(() => engineWith(rule('["--"]'))).toThrow(/keywords\[0\]: has no letters/);
    expect(() => engineWith(rule('["T0K 4LPHA", "club 24"]'))).not.toThrow();
  });
});
