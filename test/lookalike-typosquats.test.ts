// ASCII typosquats of a listed domain: a merchant's host written so that it gets past an exact list while a reader
// takes it for the listed name (rn for m, vv for w, 1 or i for l, 0 for o, a hyphen, a letter doubled or dropped).
// Found as look-alikes marked `typed`, counted at typedShare (0.55) of the entry's confidence, so that with the
// defaults one never alerts on its own. A hashed domain entry is compared with the names a host may have been typed
// from (one kind of typo undone), hashed: its own name is never known.
import { beforeEach, describe, expect, it } from "vitest";
import { IndicatorIndex } from "../src/indicators/index.js";
import { sha256Tagged, typedName, typedOrigins } from "../src/lib/url.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { FSL_RULE, keywordRule } from "./helpers/rules.js";

const AT = Date.parse("2026-03-02T00:00:00Z");

const SET = indicatorSet([
  { id: "gallery", kind: "domain", value: "flagged-gallery.example", confidence: 95 },
  { id: "mirror", kind: "domain", value: "mirrorsite.test", confidence: 100 },
  { id: "short", kind: "domain", value: "pics.example" },
  { id: "hidden", kind: "domain-sha256", value: sha256Tagged("hiddenmall.example"), confidence: 95 },
]);
const index = new IndicatorIndex();
index.add(SET);
const typed = (url: string) => index.matchLookAlikes(url, AT).map((m) => [m.ref.id, m.listed, m.typed]);

beforeEach(() => resetEvents());

describe("a host typed like a listed domain", () => {
  it.each([
    ["a hyphen dropped", "https://flaggedgallery.example/"],
    ["a hyphen added", "https://flagged-gall-ery.example/"],
    ["1 for l", "https://flagged-ga11ery.example/"],
    ["0 for o", "https://mirr0rsite.test/"],
    ["rn for m", "https://rnirrorsite.test/"],
    ["a letter doubled", "https://flagged-galllery.example/"],
    ["a double written once", "https://flaged-gallery.example/"],
    ["a letter dropped", "https://flagged-galery.example/"],
    ["another letter dropped", "https://flagged-gallry.example/"],
    ["several at once", "https://f1aged-ga11ery.example/pay"],
    ["a subdomain of a typosquat", "https://pay.flaggedga11ery.example/checkout"],
  ])("%s: a typed look-alike of the listed domain, not the domain", (_, url) => {
    const found = typed(url);
    expect(found).toHaveLength(1);
    expect(found[0]![2]).toBe(true);
    expect(index.matchUrl(url, AT)).toEqual([]);
  });

  it("reads vv as w both ways", () => {
    const i = new IndicatorIndex();
    i.add(indicatorSet([{ id: "w", kind: "domain", value: "viewfiles.test" }]));
    expect(i.matchLookAlikes("https://viewfiles.test.invalid/", AT)).toEqual([]);
    expect(i.matchLookAlikes("https://vievvfiles.test/", AT).map((m) => m.ref.id)).toEqual(["w"]);
  });

  it("is no look-alike when it is the listed name, another name, or a short name one letter off", () => {
    for (const url of [
      "https://flagged-gallery.example/",
      "https://www.FLAGGED-GALLERY.example/x",
      "https://pay.flagged-gallery.example/",
      "https://flagged-galaxy.example/",
      "https://gallery.example/",
      // four letters: no typo is read (pic5, pies, pix are names of their own)
      "https://pic.example/",
      "https://p1cs.example/",
      // two letters added (one not doubled) are not read
      "https://flagged-gallerry-xz.example/",
    ])
      expect(typed(url), url).toEqual([]);
  });

  it("reads the name under any suffix, a suffix typed otherwise too (lookalike-typosquat-variants.test.ts)", () => {
    expect(typed("https://flagged-gallery.examp1e/")).toEqual([["gallery", "flagged-gallery.example", true]]);
  });

  it("of a hashed domain: a name typed from it by one kind of typo, compared by its hash", () => {
    expect(typed("https://hiddenrnall.example/")).toEqual([["hidden", "hiddenmall.example", true]]);
    expect(typed("https://hiddenma11.example/")).toEqual([["hidden", "hiddenmall.example", true]]);
    expect(typed("https://hidden-mall.example/")).toEqual([["hidden", "hiddenmall.example", true]]);
    expect(typed("https://hidddenmall.example/")).toEqual([["hidden", "hiddenmall.example", true]]);
    expect(typed("https://shop.hiddenma11.example/")).toEqual([["hidden", "hiddenmall.example", true]]);
    // a letter dropped would take a hash for every letter at every place: not looked for
    expect(typed("https://hidenmall.example/")).toEqual([]);
    expect(typed("https://hiddenmal.example/")).toEqual([]);
    // the listed name itself matches as listed
    expect(typed("https://hiddenmall.example/")).toEqual([]);
    expect(index.matchUrl("https://hiddenmall.example/", AT).map((r) => r.id)).toEqual(["hidden"]);
  });

  it("reads a name and the names it may have been typed from", () => {
    expect(typedName("flagged-ga11ery")).toBe("flagedgalery");
    expect(typedName("rnirrorsite")).toBe("mlrorslte");
    expect(typedName("pay.vievvfiles")).toBe("pay.vlewfles");
    expect(typedName("barrn-vvv-a-a")).toBe("barmwva");
    // 1 as l, hyphens dropped, i as l, all but i at once, each run of a letter one shorter; the subdomain left out
    expect(typedOrigins("shop.hidden-ma11.example")).toEqual([
      "hidden-mall.example",
      "hiddenma11.example",
      "hldden-ma11.example",
      "hiddenmall.example",
      "hiden-ma11.example",
      "hidden-ma1.example",
    ]);
    expect(typedOrigins("vvebrnall.example")).toEqual(["vvebmall.example", "webrnall.example", "webmall.example", "vebrnall.example", "vvebrnal.example"]);
    expect(typedOrigins("192.0.2.7")).toEqual([]);
    expect(typedOrigins("shop.example")).toEqual([]);
  });
});

describe("flagged-site-link on a typosquat", () => {
  it("names the host and the listed name as typed like it, at 55% of the entry's confidence, not an alert alone", () => {
    const engine = engineWith(FSL_RULE, SET);
    const alerts = feed(engine, [merchant({ websites: ["https://flagged-ga11ery.example/"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({
      value: 52,
      critical: false,
      indicators: [{ id: "gallery", confidence: 95, matchedAs: { host: "flagged-ga11ery.example", lookAlike: true } }],
      detail: "flagged-ga11ery.example: not the listed flagged-gallery.example but typed like it (an ASCII typosquat), counted at 55% of the entry's confidence 95",
    });
    // 52 points, under alertAt 60: evidence, not an alert
    expect(alerts).toEqual([]);
  });

  it("never alerts alone, even on an entry at 100", () => {
    const engine = engineWith(FSL_RULE, SET);
    const alerts = feed(engine, [merchant({ websites: ["https://mirr0rsite.test/"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 55, critical: false });
    expect(alerts).toEqual([]);
  });

  it("adds to other evidence: with a keyword match (40 points) it alerts", () => {
    const keyword = indicatorSet([{ id: "kw", kind: "keyword", value: "tokalpha", confidence: 50 }], { id: "keywords" });
    const engine = engineWith(`${FSL_RULE}\n${keywordRule()}`, [SET, keyword]);
    const alerts = feed(engine, [merchant({ descriptor: "TOKALPHA", websites: ["https://mirr0rsite.test/"] })]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals.map((s) => s.rule).sort()).toEqual(["fsl", "kw"]);
  });

  it("leaves out one whose share is under minConfidence", () => {
    const engine = engineWith(FSL_RULE, indicatorSet([{ id: "dom", kind: "domain", value: "flagged-gallery.example", confidence: 89 }]));
    feed(engine, [merchant({ websites: ["https://flaggedgallery.example/"] })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("counts an entry drawn like in another script at lookAlikeShare, though a host was typed like it first", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant({ websites: ["https://flaggedgallery.example/"] }), tx({ checkout: { url: "https://pay.example/", referrerUrl: "https://flagged-g\u0430llery.example/" } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 71, indicators: [{ id: "gallery" }] });
  });

  it("takes typedShare from the rule's params, and refuses one that is no share", () => {
    const engine = engineWith(FSL_RULE.replace("criticalConfidence: 80", "criticalConfidence: 80, typedShare: 1"), SET);
    feed(engine, [merchant({ websites: ["https://flaggedgallery.example/"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 95, critical: true });
    expect(() => engineWith(FSL_RULE.replace("criticalConfidence: 80", "criticalConfidence: 80, typedShare: 55"), SET)).toThrow(/share from 0 to 1/);
  });
});

describe("what a typosquat is not", () => {
  it("is no number of a series one digit off, and no typosquat of another name when a domain entry lists the host", () => {
    const i = new IndicatorIndex();
    i.add(indicatorSet([
      { id: "ten", kind: "domain", value: "flagged-10.example" },
      { id: "zero", kind: "domain", value: "flagged-0.example" },
    ]));
    expect(i.matchLookAlikes("https://flagged-0.example/", AT)).toEqual([]);
    expect(i.matchLookAlikes("https://flagged-1.example/", AT)).toEqual([]);
    expect(i.matchLookAlikes("https://flaged-10.example/", AT).map((m) => m.ref.id)).toEqual(["ten"]);
  });

  it("finds a typosquat of a domain listed after the host was first looked up", () => {
    const i = new IndicatorIndex();
    i.add(indicatorSet([{ id: "other", kind: "domain", value: "other-site.example" }]));
    expect(i.matchLookAlikes("https://flaggedga11ery.example/", AT)).toEqual([]);
    i.add(indicatorSet([{ id: "g", kind: "domain", value: "flaggedgallery.example" }], { id: "later" }));
    expect(i.matchLookAlikes("https://flaggedga11ery.example/", AT).map((m) => m.ref.id)).toEqual(["g"]);
  });
});
