// Last (src/lib/memo.ts): the last answer of a pure function of a string, which the descriptor's two readings
// (normaliseDescriptor, keywordForm) keep for the rules that read the same descriptor of one event.
import { describe, expect, it } from "vitest";
import { Last } from "../src/lib/memo.js";
import { keywordForm, normaliseDescriptor } from "../src/lib/descriptor.js";

describe("Last", () => {
  it("computes an argument asked again at once a single time, and any other argument afresh", () => {
    const calls: string[] = [];
    const last = new Last((s) => (calls.push(s), s.toUpperCase()));
    expect(["a", "a", "b", "a", "a"].map((s) => last.get(s))).toEqual(["A", "A", "B", "A", "A"]);
    expect(calls).toEqual(["a", "b", "a"]);
  });

  it("keeps an empty or missing answer too, and the empty string is an argument like another", () => {
    const calls: string[] = [];
    const last = new Last<string | undefined>((s) => (calls.push(s), s === "" ? "" : undefined));
    expect([last.get(""), last.get(""), last.get("x"), last.get("x")]).toEqual(["", "", undefined, undefined]);
    expect(calls).toEqual(["", "x"]);
  });

  it("serves both descriptor readings without mixing them: each keeps its own last answer", () => {
    // the keyword form keeps digits the churn reading drops, and a bar's letter reading after a barrier
    expect([normaliseDescriptor("TOKA|PHA 24"), keywordForm("TOKA|PHA 24"), normaliseDescriptor("TOKA|PHA 24")]).toEqual([
      "toka pha",
      "toka pha 2a | tokalpha 2a",
      "toka pha",
    ]);
    expect(keywordForm("SHOP*LONDON")).toBe("shop london");
    expect(keywordForm("TOKA|PHA 24")).toBe("toka pha 2a | tokalpha 2a");
  });
});
