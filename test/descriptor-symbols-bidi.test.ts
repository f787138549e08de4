// A right-to-left override (U+202E) draws the Latin letters after it in reverse, up to a pop (U+202C): a descriptor
// stored as <RLO>AHPLAKOT<PDF> shows TOKALPHA on a statement that honours it. The override was dropped as an
// invisible character and the letters read in stored order (ahplakot), so the keyword was missed. Keywords are now
// also matched in the order drawn; the stored order still matches as before.
import { describe, expect, it } from "vitest";
import { compactKeyword, containsKeyword, keywordForm, normaliseDescriptor } from "../src/lib/descriptor.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf } from "./helpers/events.js";
import { keywordRule } from "./helpers/rules.js";

const RLO = "\u202e";
const PDF = "\u202c";
const has = (descriptor: string, keyword: string) => containsKeyword(keywordForm(descriptor), compactKeyword(keyword));

describe("a descriptor with a right-to-left override", () => {
  it.each([
    ["the whole name reversed", `${RLO}AHPLAKOT${PDF}`],
    ["reversed up to the end, no pop", `${RLO}AHPLAKOT`],
    ["half the name reversed", `TOK${RLO}AHPLA${PDF}`],
    ["reversed, then a word in stored order", `${RLO}AHPLAKOT${PDF} CLUB`],
    ["two words reversed: their order too", `${RLO}BULC AHPLAKOT${PDF}`],
  ])("%s: the keyword as drawn matches", (_, descriptor) => {
    expect(has(descriptor, "tokalpha")).toBe(true);
  });

  it("still matches in the order stored, and joins no word across the two readings", () => {
    expect(has(`TOK${RLO}ALPHA${PDF}`, "tokalpha")).toBe(true);
    // stored: CLUB TOKALPHA; drawn: CLUB AHPLAKOT. Neither holds "tokalpha club", which the end of one and the start
    // of the other would make
    expect(has(`CLUB ${RLO}TOKALPHA${PDF}`, "tokalpha club")).toBe(false);
    expect(has(`${RLO}AHPLAKOT${PDF}`, "ahplakot tokalpha")).toBe(false);
    // churn reads the stored order only: one name, as before
    expect(normaliseDescriptor(`${RLO}AHPLAKOT${PDF}`)).toBe("ahplakot");
  });

  it("raises the keyword signal for a merchant's descriptor", () => {
    resetEvents();
    const engine = engineWith(keywordRule(), indicatorSet([{ id: "kw", kind: "keyword", value: "tokalpha" }]));
    feed(engine, [merchant({ descriptor: `${RLO}AHPLAKOT${PDF}*0201234567` })]);
    expect(signalOf(engine, "kw")).toMatchObject({ indicators: [{ id: "kw" }] });
  });
});
