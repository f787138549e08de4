// ASCII typosquats the reading missed (src/bench/typosquats.ts: two letters swapped 12% found, a letter replaced by a
// neighbouring key 18%, and only by chance): a listed name with two adjacent letters swapped or one letter typed on a
// neighbouring key of a QWERTY keyboard; and a domain-sha256 entry's name under another public suffix (one that the
// index's plain names are listed under) or with a letter added, compared by hash.
import { beforeEach, describe, expect, it } from "vitest";
import { IndicatorIndex } from "../src/indicators/index.js";
import { sha256Tagged } from "../src/lib/url.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
const SET = indicatorSet([
  { id: "gallery", kind: "domain", value: "flagged-gallery.example", confidence: 95 },
  { id: "short", kind: "domain", value: "pics-shop.example" },
  { id: "page", kind: "url", value: "https://listing-board.test/item/1003", confidence: 90 },
  { id: "hidden", kind: "domain-sha256", value: sha256Tagged("hiddenmarket.example"), confidence: 95 },
]);
const index = new IndicatorIndex();
index.add(SET);
const typed = (url: string) => index.matchLookAlikes(url, AT).map((m) => [m.ref.id, m.listed, m.typed]);

beforeEach(() => resetEvents());

describe("two adjacent letters swapped, or one typed on a neighbouring key", () => {
  it.each([
    ["two letters swapped", "https://flagged-gallrey.example/"],
    ["the first two swapped", "https://lfagged-gallery.example/"],
    ["the two before the hyphen", "https://flaggde-gallery.example/"],
    ["e typed as w, its neighbour", "https://flagged-gallwry.example/"],
    ["r typed as t", "https://flagged-gallety.example/"],
    ["a typed as s, with another typo", "https://f1agged-gsllery.example/"],
    ["under a subdomain", "https://pay.flagged-gallrey.example/c"],
    ["under another suffix", "https://flagged-gallwry.invalid/"],
  ])("%s: a typed look-alike", (_, url) => {
    expect(typed(url)).toEqual([["gallery", "flagged-gallery.example", true]]);
  });

  it("is not read of a key that is no neighbour, two letters replaced, letters swapped two apart, or a short name", () => {
    for (const url of [
      "https://flagged-gallxry.example/",
      "https://flagged-gallwrt.example/",
      "https://flagged-gallyre.example/",
      // pics-shop reads plcshop (i as l): 7 letters
      "https://pics-shpo.example/",
      "https://pocs-shop.example/",
    ])
      expect(typed(url), url).toEqual([]);
  });

  it("reads a listed page's host so", () => {
    expect(typed("https://listing-baord.test/item/1003")).toEqual([["page", "listing-board.test", true]]);
    expect(typed("https://listing-bosrd.test/item/1003?ref=1")).toEqual([["page", "listing-board.test", true]]);
    expect(typed("https://listing-baord.test/item/1004")).toEqual([]);
  });

  it("flagged-site-link counts it at typedShare, as any typosquat", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant({ websites: ["https://flagged-gallrey.example/"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({
      value: 52,
      critical: false,
      indicators: [{ id: "gallery", confidence: 95 }],
      detail: "flagged-gallrey.example: not the listed flagged-gallery.example but typed like it (an ASCII typosquat), counted at 55% of the entry's confidence 95",
    });
  });
});

describe("a domain-sha256 entry's name", () => {
  it("is read under another suffix, when its own is one that the index's plain names are listed under", () => {
    expect(typed("https://hiddenmarket.test/")).toEqual([["hidden", "hiddenmarket.example", true]]);
    expect(typed("https://pay.hiddenmarket.invalid/x")).toEqual([["hidden", "hiddenmarket.example", true]]);
  });

  it("is not read under another suffix when no plain name is listed under its own", () => {
    const hashedOnly = new IndicatorIndex();
    hashedOnly.add(indicatorSet([{ id: "hidden", kind: "domain-sha256", value: sha256Tagged("hiddenmarket.example") }]));
    expect(hashedOnly.matchLookAlikes("https://hiddenmarket.test/", AT)).toEqual([]);
    // its own suffix still reads the typos it did
    expect(hashedOnly.matchLookAlikes("https://hiddenrnarket.example/", AT).map((m) => m.listed)).toEqual(["hiddenmarket.example"]);
    const other = new IndicatorIndex();
    other.add(indicatorSet([
      { id: "hidden", kind: "domain-sha256", value: sha256Tagged("hiddenmarket.invalid") },
      { id: "plain", kind: "domain", value: "flagged-gallery.example" },
    ]));
    expect(other.matchLookAlikes("https://hiddenmarket.example/", AT)).toEqual([]);
  });

  it("is read with a letter added, to a name of 8 letters or more", () => {
    expect(typed("https://hiddenmarkeyt.example/")).toEqual([["hidden", "hiddenmarket.example", true]]);
    expect(typed("https://xhiddenmarket.example/")).toEqual([["hidden", "hiddenmarket.example", true]]);
    expect(typed("https://hiddenmarkeyts.example/")).toEqual([]);
    const short = new IndicatorIndex();
    short.add(indicatorSet([{ id: "s", kind: "domain-sha256", value: sha256Tagged("picshop.example") }]));
    expect(short.matchLookAlikes("https://picshopx.example/", AT)).toEqual([]);
  });

  it("is not read with a letter added and under another suffix at once (one kind of typo)", () => {
    expect(typed("https://hiddenmarkeyt.test/")).toEqual([]);
  });
});
