// ASCII typosquats the first reading missed (measured by src/bench/typosquats.ts: a letter added 1 in 192 found, the
// listed name under another suffix none, a listed page's host typed otherwise none): a listed name of 8 letters or
// more with one letter added, the same name under another public suffix (a site hopping from one TLD to the next),
// and the host of a url entry, whose listed page sits on a host typed like it.
import { beforeEach, describe, expect, it } from "vitest";
import { IndicatorIndex } from "../src/indicators/index.js";
import { sha256Tagged } from "../src/lib/url.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
const SET = indicatorSet([
  { id: "gallery", kind: "domain", value: "flagged-gallery.example", confidence: 95 },
  { id: "pics", kind: "domain", value: "pics-a.example" },
  { id: "page", kind: "url", value: "https://listing-board.test/item/1003", confidence: 90 },
  { id: "hidden", kind: "domain-sha256", value: sha256Tagged("hiddenmall.example"), confidence: 95 },
]);
const index = new IndicatorIndex();
index.add(SET);
const typed = (url: string) => index.matchLookAlikes(url, AT).map((m) => [m.ref.id, m.listed, m.typed]);

beforeEach(() => resetEvents());

describe("a letter added to a listed name", () => {
  it.each([
    ["inside", "https://flagged-galleary.example/"],
    ["first", "https://xflagged-gallery.example/"],
    ["last", "https://flagged-gallerys.example/"],
    ["between a double, which it splits", "https://flagged-galxlery.example/"],
    ["with another typo", "https://flagged-ga11leary.example/"],
    ["under a subdomain", "https://pay.flagged-galleary.example/c"],
  ])("%s: a typed look-alike", (_, url) => {
    expect(typed(url)).toEqual([["gallery", "flagged-gallery.example", true]]);
  });

  it("is not read of a name under 8 letters, nor two letters added", () => {
    expect(typed("https://pics-ab.example/")).toEqual([]);
    expect(typed("https://flagged-gallearyx.example/")).toEqual([]);
  });

  it("is read of a hashed name too, by a hash for each letter of the host's label (lookalike-typosquat-keys.test.ts)", () => {
    expect(typed("https://hiddenmaxll.example/")).toEqual([["hidden", "hiddenmall.example", true]]);
  });
});

describe("a listed name under another public suffix", () => {
  it.each([
    ["another TLD", "https://flagged-gallery.test/"],
    ["and typed", "https://flagged-ga11ery.invalid/x"],
    ["under a subdomain", "https://pay.flagged-gallery.test/"],
  ])("%s: a typed look-alike", (_, url) => {
    expect(typed(url)).toEqual([["gallery", "flagged-gallery.example", true]]);
  });

  it("is read of a hashed name under a suffix the plain names are listed under (lookalike-typosquat-keys.test.ts)", () => {
    expect(typed("https://hiddenmall.test/")).toEqual([["hidden", "hiddenmall.example", true]]);
  });

  it("is no look-alike where a domain entry lists the host", () => {
    const i = new IndicatorIndex();
    i.add(indicatorSet([
      { id: "ex", kind: "domain", value: "flagged-gallery.example" },
      { id: "te", kind: "domain", value: "flagged-gallery.test" },
    ]));
    expect(i.matchLookAlikes("https://flagged-gallery.test/", AT)).toEqual([]);
    expect(i.matchUrl("https://flagged-gallery.test/", AT).map((r) => r.id)).toEqual(["te"]);
    expect(i.matchLookAlikes("https://flagged-gallery.invalid/", AT).map((m) => m.ref.id).sort()).toEqual(["ex", "te"]);
  });
});

describe("the host of a listed page", () => {
  it.each([
    ["1 for l", "https://1isting-board.test/item/1003"],
    ["a hyphen dropped, with a query", "https://listingboard.test/item/1003?ref=9"],
    ["another suffix", "https://listing-board.example/item/1003"],
    ["a letter added", "https://listing-boared.test/item/1003"],
    ["its path's slashes doubled", "https://listing-b0ard.test//item/1003"],
  ])("typed otherwise, with the listed path: %s", (_, url) => {
    expect(typed(url)).toEqual([["page", "listing-board.test", true]]);
  });

  it("is no look-alike with another path, nor on the listed host itself", () => {
    expect(typed("https://1isting-board.test/item/1004")).toEqual([]);
    expect(typed("https://1isting-board.test/")).toEqual([]);
    expect(typed("https://listing-board.test/item/1004")).toEqual([]);
    expect(index.matchUrl("https://listing-board.test/item/1003", AT).map((r) => r.id)).toEqual(["page"]);
    expect(typed("https://listing-board.test/item/1003")).toEqual([]);
  });

  it("flagged-site-link names the host of the listed page, never its path, at typedShare", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant({ websites: ["https://1isting-board.test/item/1003"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({
      value: 50,
      critical: false,
      indicators: [{ id: "page", confidence: 90 }],
      detail: "1isting-board.test: not listing-board.test, the host of a listed page, but typed like it (an ASCII typosquat), counted at 55% of the entry's confidence 90",
    });
  });
});
