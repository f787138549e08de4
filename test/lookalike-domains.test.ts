// Look-alike hosts: a merchant's site on a name drawn like a listed one (Cyrillic ѕ for s, a Unicode hyphen for -,
// an ö for o), which the browser reaches as another name (xn--…). Not the listed site, so not matched as it, but a
// signal that names both and says it is a look-alike, counted at a share of the entry's confidence
// (lookAlikeShare) and never alerted at once on its own with the defaults. Non-Latin letters are escapes: in a
// literal, Cyrillic ѕ and Latin s cannot be told apart.
import { beforeEach, describe, expect, it } from "vitest";
import { IndicatorIndex } from "../src/indicators/index.js";
import { hostSkeleton, sha256Tagged, urlHost } from "../src/lib/url.js";
import { engineWith, feed, indexOf, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
/** Cyrillic small dze, drawn like s */
const DZE = "\u0455";
/** "ѕһор" wholly in Cyrillic (dze, shha, o, er) */
const SHOP_CYRILLIC = "\u0455\u04bb\u043e\u0440";
/** shop-b.example with a Cyrillic ѕ, as a set lists it: in its xn-- form */
const IDN_LISTED = new URL(`http://${DZE}hop-b.example/`).hostname;

const SET = indicatorSet([
  { id: "dom", kind: "domain", value: "shop-a.example" },
  { id: "page", kind: "url", value: "https://pages.example/album/17", confidence: 85 },
  { id: "idn", kind: "domain", value: IDN_LISTED, confidence: 80 },
  { id: "hashed", kind: "domain-sha256", value: sha256Tagged("hidden.example") },
]);
const index = new IndicatorIndex();
index.add(SET);
const alike = (url: string) => index.matchLookAlikes(url, AT).map((m) => [m.ref.id, m.listed]);

beforeEach(() => resetEvents());

describe("a host drawn like a listed name", () => {
  it.each([
    ["a Cyrillic letter", `http://${DZE}hop-a.example/`],
    ["a subdomain of it", `https://pay.${DZE}hop-a.example/checkout`],
    ["a label wholly in Cyrillic look-alikes", `http://${SHOP_CYRILLIC}-a.example/`],
    ["a Unicode hyphen (U+2010)", "http://shop\u2010a.example/"],
    ["a minus sign (U+2212)", "http://shop\u2212a.example/"],
    ["an en dash (U+2013)", "http://shop\u2013a.example/"],
    ["a diaeresis", "http://sh\u00f6p-a.example/"],
    ["a letter with a stroke", "http://sh\u00f8p-a.example/"],
    ["a look-alike in the top-level label", "http://shop-a.exampl\u0435/"],
  ])("%s: a look-alike of the listed domain, not the domain", (_, url) => {
    expect(alike(url)).toEqual([["dom", "shop-a.example"]]);
    expect(index.matchUrl(url, AT)).toEqual([]);
  });

  it("of a listed page: the page on the look-alike host, with or without a query, named by its host alone", () => {
    expect(alike("http://p\u0430ges.example/album/17")).toEqual([["page", "pages.example"]]);
    expect(alike("http://p\u0430ges.example/album/17?ref=x")).toEqual([["page", "pages.example"]]);
    // another page of the look-alike host is no listed page
    expect(alike("http://p\u0430ges.example/album/18")).toEqual([]);
  });

  it("of a name listed in its xn-- form: the plain name, and another look-alike of it", () => {
    expect(alike("https://shop-b.example/")).toEqual([["idn", IDN_LISTED]]);
    expect(alike(`https://sh\u043ep-b.example/`)).toEqual([["idn", IDN_LISTED]]);
    // the listed name itself is a match, not a look-alike
    expect(alike(`https://${DZE}hop-b.example/`)).toEqual([]);
    expect(index.matchUrl(`https://${DZE}hop-b.example/`, AT).map((r) => r.id)).toEqual(["idn"]);
  });

  it("is no look-alike when it is the listed name, another name, or an ASCII look-alike outside the name", () => {
    expect(alike("http://shop-a.example/")).toEqual([]);
    expect(alike("http://www.SHOP-A.example./x")).toEqual([]);
    expect(alike(`http://${DZE}hop-c.example/`)).toEqual([]);
    // a Cyrillic word that a Latin letter does not draw (м) is a word of its own
    expect(alike("http://\u043c\u0430\u0433\u0430\u0437\u0438\u043d.example/")).toEqual([]);
    // an ASCII 1 for l in a page's path is no look-alike (typed ones of a name: lookalike-typosquats.test.ts); the name
    // under another suffix, examp1e too, is a typed one (lookalike-typosquat-variants.test.ts)
    expect(alike("http://shop-a.examp1e/")).toEqual([["dom", "shop-a.example"]]);
    expect(alike("http://pages.example/a1bum/17")).toEqual([]);
  });

  it("cannot be told for a hashed entry, whose name is not known", () => {
    expect(alike(`http://hidd\u0435n.example/`)).toEqual([]);
    expect(index.matchUrl("http://hidden.example/", AT).map((r) => r.id)).toEqual(["hashed"]);
  });

  it("reads a host as the Latin letters it is drawn like, an ASCII host as it is", () => {
    const host = urlHost(`http://${SHOP_CYRILLIC}\u2010a.example/`)!;
    expect(host).toMatch(/^xn--/);
    expect(hostSkeleton(host)).toBe("shop-a.example");
    expect(hostSkeleton("shop-a.example")).toBe("shop-a.example");
  });
});

describe("flagged-site-link on a look-alike host", () => {
  it("names the host, its Unicode form and the listed name, at 75% of the entry's confidence, not at once", () => {
    const engine = engineWith(FSL_RULE, SET);
    const alerts = feed(engine, [merchant({ websites: [`https://${DZE}hop-a.example/`] })]);
    const host = urlHost(`https://${DZE}hop-a.example/`)!;
    expect(signalOf(engine, "fsl")).toMatchObject({
      value: 68,
      strength: 0.68,
      critical: false,
      indicators: [{ id: "dom", confidence: 90 }],
      detail: `${host} (${DZE}hop-a.example): not the listed shop-a.example but drawn like it, counted at 75% of the entry's confidence 90`,
    });
    // 68 points: an alert, not a critical one
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals[0]!.explanation).toBe(
      `links to a flagged site (${host} (${DZE}hop-a.example): not the listed shop-a.example but drawn like it, counted at 75% of the entry's confidence 90): ` +
        "indicator confidence 68 (counted from 50; from 80 it alerts at once, as critical)",
    );
  });

  it("leaves out a look-alike whose share of the entry's confidence is under minConfidence", () => {
    const engine = engineWith(FSL_RULE, indicatorSet([{ id: "dom", kind: "domain", value: "shop-a.example", confidence: 60 }]));
    feed(engine, [merchant({ websites: [`https://${DZE}hop-a.example/`] })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("counts a look-alike as the listed name itself with lookAlikeShare: 1", () => {
    const engine = engineWith(FSL_RULE.replace("criticalConfidence: 80", "criticalConfidence: 80, lookAlikeShare: 1"), SET);
    feed(engine, [merchant(), tx({ checkout: { url: "https://shop.example/pay", referrerUrl: `http://promo.${DZE}hop-a.example/` } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 90, critical: true });
  });

  it("keeps an exact match's confidence and critical beside a look-alike's", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant({ websites: [`https://${DZE}hop-a.example/`, "https://pages.example/album/17"] })]);
    const signal = signalOf(engine, "fsl")!;
    expect(signal).toMatchObject({ value: 85, critical: true });
    expect(signal.indicators.map((r) => r.id).sort()).toEqual(["dom", "page"]);
    expect(signal.detail).toMatch(/^pages\.example, xn--.*drawn like it/);
  });

  it("names a listed page's host, not its path, and cites the entry once when it also matched as listed", () => {
    const engine = engineWith(FSL_RULE, SET);
    const host = urlHost("https://p\u0430ges.example/")!;
    feed(engine, [merchant({ websites: ["https://p\u0430ges.example/album/17", "https://pages.example/album/17"] })]);
    const signal = signalOf(engine, "fsl")!;
    expect(signal.detail).toBe(
      `pages.example, ${host} (p\u0430ges.example): not pages.example, the host of a listed page, but drawn like it, counted at 75% of the entry's confidence 85`,
    );
    expect(signal.indicators.map((r) => r.id)).toEqual(["page"]);
    expect(signal).toMatchObject({ value: 85, critical: true });
  });

  it("is found when a set lists the name after the merchant boarded, and dropped when the entry is revoked", () => {
    const engine = engineWith(FSL_RULE, indicatorSet([{ id: "other", kind: "domain", value: "other.example" }]));
    feed(engine, [merchant({ websites: [`https://${DZE}hop-a.example/`] })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
    const listed = indicatorSet([{ id: "dom", kind: "domain", value: "shop-a.example" }]);
    engine.replaceIndicators(indexOf(listed));
    feed(engine, [tx()]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 68, indicators: [{ id: "dom" }] });
    engine.replaceIndicators(indexOf({ ...listed, version: 2, entries: [{ ...listed.entries[0]!, revoked: true }] }));
    feed(engine, [tx()]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("refuses a lookAlikeShare that is no share", () => {
    expect(() => engineWith(FSL_RULE.replace("criticalConfidence: 80", "criticalConfidence: 80, lookAlikeShare: 75"), SET)).toThrow(/share from 0 to 1/);
  });
});
