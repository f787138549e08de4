// Symbols drawn like letters that descriptors also use as separators: `|` and `¦` are drawn like l (or a capital I),
// `¡` like i, `℮` like e. Read as separators only, TOKA|PHA (tokalpha with a bar for its l) was "toka pha" and missed
// the keyword. The keyword form now also holds a reading with such a symbol as its letter where it touches a letter
// (inside a word or at its end), after the separator reading and a barrier, so SHOP|LONDON still reads shop london
// and no run joins the two readings; a symbol with space or digits on both sides (SHOP | LONDON, 12|34) is a
// separator only. Churn reads the separator reading only.
import { describe, expect, it } from "vitest";
import { compactKeyword, containsKeyword, keywordForm, normaliseDescriptor } from "../src/lib/descriptor.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf } from "./helpers/events.js";
import { keywordRule } from "./helpers/rules.js";

const RLO = "\u202e";
const has = (descriptor: string, keyword: string) => containsKeyword(keywordForm(descriptor), compactKeyword(keyword));

describe("a symbol drawn like a letter", () => {
  it.each([
    ["a bar for l", "TOKA|PHA", "tokalpha"],
    ["a broken bar for l", "TOKA\u00a6PHA*CLUB", "tokalpha"],
    ["a bar for a capital I (compared as l)", "L|VE SHOP", "live"],
    ["an inverted exclamation mark for i", "L\u00a1VE SHOP", "live"],
    ["the estimated sign for e", "CLUBHOUS\u212e 24", "clubhouse"],
    ["a bar at a word's end", "MODE| 0201234567", "model"],
    ["with a digit for a letter beside it", "T0KA|PH4", "tokalpha"],
    ["after a right-to-left override", `${RLO}AHP|AKOT`, "tokalpha"],
  ])("%s: %s matches %s", (_, descriptor, keyword) => {
    expect(has(descriptor, keyword)).toBe(true);
  });

  it("is still a separator: the words either side match, and nothing is joined across the readings", () => {
    expect(has("SHOP|LONDON", "shop")).toBe(true);
    expect(has("SHOP|LONDON", "london")).toBe(true);
    expect(has("SHOP|LONDON", "shop london")).toBe(true);
    // the end of the separator reading and the start of the letter reading make no run
    expect(has("LONDON|SHOP", "shop london")).toBe(false);
    expect(has("LONDON|SHOP", "shop shoplllondon")).toBe(false);
  });

  it("is a separator only with space or digits on both sides", () => {
    expect(has("SHOP | IVE", "shoplive")).toBe(false);
    expect(has("SHOP | IVE", "live")).toBe(false);
    expect(has("REF 12|34", "i2la")).toBe(false);
    expect(keywordForm("SHOP | LONDON")).toBe("shop london");
  });

  it("leaves a descriptor without one as it was, and churn reads the separator reading only", () => {
    expect(keywordForm("TOKALPHA CLUB 24")).toBe("tokalpha club 2a");
    expect(normaliseDescriptor("TOKA|PHA")).toBe("toka pha");
  });

  it("raises the keyword signal for a merchant's descriptor", () => {
    resetEvents();
    const engine = engineWith(keywordRule(), indicatorSet([{ id: "kw", kind: "keyword", value: "tokalpha" }]));
    feed(engine, [merchant({ descriptor: "T0KA|PHA*0201234567" })]);
    expect(signalOf(engine, "kw")).toMatchObject({ indicators: [{ id: "kw" }] });
  });
});
