// A look-alike's listed name is marked red (withheld from the case's files) while only TLP:RED entries list it, and not
// once an entry of another level lists it too, whichever comes first: the alert's explanation (flagged-site-link's
// slot) and the evidence's mark merge their entries with one helper, markLookAlike.
// Non-Latin letters are escapes: in a literal, Cyrillic ѕ and Latin s cannot be told apart.
import { beforeEach, describe, expect, it } from "vitest";
import { engineWith, feed, indicatorSet, merchant, resetEvents, state } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";
import type { Tlp } from "../src/indicators/schema.js";

/** Cyrillic small dze, drawn like s */
const DZE = "\u0455";
const ALIKE = `https://${DZE}hop-a.example/`;
const sets = (levels: Tlp[]) => levels.map((tlp, i) => indicatorSet([{ id: `e${i}`, kind: "domain", value: "shop-a.example", tlp }], { id: `set-${i}` }));

beforeEach(() => resetEvents());

describe("a look-alike's name listed by several entries", () => {
  it.each([
    [["red", "red"], true],
    [["red", "amber"], false],
    [["amber", "red"], false],
    [["green"], false],
  ] as [Tlp[], boolean][])("%j: red %s", (levels, red) => {
    const engine = engineWith(FSL_RULE, sets(levels));
    const alert = feed(engine, [merchant({ websites: [ALIKE] })]).at(-1)!;
    const explanation = alert.signals.find((s) => s.rule === "fsl")!.explanation ?? "";
    expect(explanation.includes("shop-a.example")).toBe(!red);
    expect(explanation.includes("TLP:RED")).toBe(red);
    const marks = state(engine).evidence!.flatMap((e) => e.flagged ?? []);
    expect(marks).toEqual([{ url: ALIKE, lookAlikeOf: [{ name: "shop-a.example", page: false, ...(red && { red: true }) }] }]);
  });
});
