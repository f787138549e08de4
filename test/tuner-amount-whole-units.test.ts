// An amount in minor units written as money (subscription-pattern's maxMinor: 50 meant as 50 EUR is 0.50 EUR; a card
// test's maxMinor: 2 meant as 2 EUR is 2 cents) validated and was taken without a word: the band or the test amount
// then matches almost nothing, and a backtest only shows fewer hits. It is now one of the set's doubts (said by rules
// validate, the Rules page and a backtest), where it is worth under a whole unit (a price band's top) or a tenth of
// one (a test amount) in a currency with a minor unit; a currency without one (JPY) and sensible values are not noted.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { doubtText, loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const copy = defaultRulesCopies("tuner-amount-whole-units");
const BAND = "minMinor: 900, maxMinor: 5000, currencies: [EUR, GBP, USD, CHF]";
const band = (to: string) => ({ "sales.yaml": (t: string) => t.replace(BAND, to) });
const testAmount = (maxMinor: string) => ({ "sales.yaml": (t: string) => t.replace("maxMinor: 200,", `maxMinor: ${maxMinor},`) });

/** the set's doubts as `rules validate` says them, and where `needle` is in sales.yaml */
function doubts(dir: string, needle: string): { said: string[]; at: string } {
  const file = join(dir, "sales.yaml");
  const lines = readFileSync(file, "utf8").split("\n");
  const n = lines.findIndex((l) => l.includes(needle));
  return { said: loadRuleSet(dir).doubts.map(doubtText), at: `${file}:${n + 1}:${lines[n]!.indexOf(needle) + 1 + "maxMinor: ".length}` };
}

describe("an amount in minor units written in whole units", () => {
  it("a subscription price band whose top is under one unit of its currencies is a doubt", () => {
    const d = doubts(copy(band("minMinor: 9, maxMinor: 50, currencies: [EUR, GBP, USD, CHF]")), "maxMinor: 50");
    expect(d.said).toEqual([
      `${d.at}: rules[0].params.maxMinor: 50 is 0.50 EUR, 0.50 GBP, 0.50 USD, 0.50 CHF: amounts are in minor units (100 to the EUR); a price band whose top is under 1.00 EUR is most likely an amount written in whole units (for 50.00 EUR, write maxMinor: 5000)`,
    ]);
    // three digits: 500 fils is half a dinar
    const kwd = doubts(copy(band("minMinor: 90, maxMinor: 500, currencies: [KWD]")), "maxMinor: 500");
    expect(kwd.said).toEqual([
      `${kwd.at}: rules[0].params.maxMinor: 500 is 0.500 KWD: amounts are in minor units (1000 to the KWD); a price band whose top is under 1.000 KWD is most likely an amount written in whole units (for 500.000 KWD, write maxMinor: 500000)`,
    ]);
  });

  it("a card test's small amount under a tenth of a unit is a doubt; with no currencies named, read as cents", () => {
    const d = doubts(copy(testAmount("2")), "maxMinor: 2,");
    expect(d.said).toEqual([
      `${d.at}: rules[3].params.maxMinor: 2 is 0.02 of a currency with cents (EUR, USD, …; no currencies are named): amounts are in minor units (100 to the unit); a test amount under 0.10 is most likely an amount written in whole units (for 2.00, write maxMinor: 200)`,
    ]);
  });

  it("sensible values and currencies without a minor unit are not noted", () => {
    expect(loadRuleSet(DEFAULT_RULES).doubts).toEqual([]);
    for (const edits of [
      testAmount("10"),
      testAmount("50"),
      testAmount("5, currencies: [JPY, KRW]"),
      band("minMinor: 100, maxMinor: 1500, currencies: [EUR]"),
      band("minMinor: 300, maxMinor: 3000, currencies: [JPY]"),
      band("minMinor: 9, maxMinor: 50, currencies: [JPY]"),
    ])
      expect(loadRuleSet(copy(edits)).doubts).toEqual([]);
  });
});
