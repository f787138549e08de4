import { beforeEach, describe, expect, it } from "vitest";
import { Alert } from "../../src/decode/events.js";
import { sha256Tagged } from "../../src/lib/url.js";
import { crawl, engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx, M1, M2 } from "../helpers/events.js";
import { FSL_RULE } from "../helpers/rules.js";

const SET = { id: "coalition-test", source: "member:hotline-test" };

beforeEach(() => resetEvents());

describe("flagged-site-link: domain indicators", () => {
  const set = indicatorSet([{ id: "ind-dom", kind: "domain", value: "flagged-gallery.example", confidence: 70 }], SET);

  it("matches the listed domain on the merchant's websites, with exact value, strength and evidence", () => {
    const engine = engineWith(FSL_RULE, set);
    const m = merchant({ websites: ["https://www.flagged-gallery.example/"] });
    const alerts = feed(engine, [m]);
    expect(signalOf(engine, "fsl")).toEqual({
      value: 70,
      threshold: 50,
      strength: 0.7,
      critical: false,
      eventIds: [m.eventId],
      indicators: [{ set: "coalition-test", id: "ind-dom", source: "member:hotline-test", confidence: 70 }],
      detail: "flagged-gallery.example",
      since: m.occurredAt,
    });
    expect(alerts).toHaveLength(1);
    const a = Alert.parse(alerts[0]);
    expect(a.score).toBe(70);
    expect(a.severity).toBe("medium");
    expect(a.typologies).toEqual(["linked-to-flagged"]);
    expect(a.signals).toEqual([
      {
        rule: "fsl",
        version: engine.ruleSet.rules[0]!.version,
        value: 70,
        threshold: 50,
        kind: "flagged-site-link",
        explanation: "links to a flagged site (flagged-gallery.example): indicator confidence 70 (counted from 50; from 80 it alerts at once, as critical)",
        evidence: {
          eventIds: [m.eventId],
          indicators: [{ set: "coalition-test", id: "ind-dom", source: "member:hotline-test", confidence: 70 }],
        },
      },
    ]);
  });

  it.each([
    "https://flagged-gallery.example/",
    "https://cdn.flagged-gallery.example/x",
    "http://a.b.c.flagged-gallery.example:8080/deep/path?q=1",
    "FLAGGED-GALLERY.EXAMPLE/path",
    "https://flagged-gallery.example./",
  ])("matches the domain and its subdomains: %s", (url) => {
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), tx({ checkout: { referrerUrl: url } })]);
    expect(signalOf(engine, "fsl")?.value).toBe(70);
  });

  it.each([
    "https://notflagged-gallery.example/",
    "https://flagged-gallery.example.test/",
    "https://gallery.example/",
    "https://example/",
    "https://flagged-gallery.invalid/",
  ])("does not match a look-alike or a parent domain: %s", (url) => {
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), tx({ checkout: { referrerUrl: url } })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("a domain entry for a subdomain does not match its parent", () => {
    const engine = engineWith(FSL_RULE, indicatorSet([{ kind: "domain", value: "sub.listed.example" }]));
    feed(engine, [merchant({ websites: ["https://listed.example/"] }), tx({ checkout: { url: "https://other.sub.listed.example/" } })]);
    expect(signalOf(engine, "fsl")?.eventIds).toEqual(["e-2"]);
  });
});

describe("flagged-site-link: exact URLs", () => {
  const listed = "https://www.listed.example/gallery/?utm_source=mail&b=2&a=1#top";
  const set = indicatorSet([{ id: "ind-url", kind: "url", value: listed, confidence: 75 }], SET);

  it.each([
    "https://listed.example/gallery?a=1&b=2",
    "http://listed.example/gallery?b=2&a=1",
    "listed.example/gallery/?a=1&b=2",
    "HTTPS://WWW.LISTED.EXAMPLE:443/gallery/?b=2&a=1#other",
    "https://listed.example/gallery?utm_campaign=x&a=1&UTM_medium=y&b=2",
    "http://www.listed.example:80/gallery?a=1&b=2",
    // a letter of the path escaped, which the URL parser keeps as written
    "https://listed.example/g%61llery?a=1&b=2",
    "https://listed.example/%67allery?a=1&b=2",
  ])("matches after canonicalisation: %s", (url) => {
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), tx({ checkout: { referrerUrl: url } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 75, strength: 0.75, detail: "listed.example" });
  });

  it.each([
    "https://listed.example/Gallery?a=1&b=2", // the path keeps its case
    "https://listed.example/gallery?a=1", // a parameter missing
    "https://listed.example/gallery?a=1&b=3",
    "https://listed.example/gallery/more?a=1&b=2",
    "https://listed.example:8443/gallery?a=1&b=2", // a port that is not the default
    "https://listed.example/",
    "https://img.listed.example/gallery?a=1&b=2", // a URL entry is not a domain entry
  ])("does not match a different URL: %s", (url) => {
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), tx({ checkout: { referrerUrl: url } })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("matches a url-sha256 entry (sha256 of the canonical form) whatever the spelling in traffic", () => {
    const hashed = indicatorSet([{ id: "ind-h", kind: "url-sha256", value: sha256Tagged("listed.example/gallery?a=1&b=2"), confidence: 88 }], SET);
    const engine = engineWith(FSL_RULE, hashed);
    feed(engine, [merchant(), crawl({ url: "https://shop.example/", linkedUrls: ["https://WWW.listed.example/gallery/?b=2&a=1&utm_source=z#f"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({
      value: 88,
      critical: true,
      indicators: [{ set: "coalition-test", id: "ind-h", source: "member:hotline-test", confidence: 88 }],
      eventIds: ["e-2"],
    });
  });

  it("an upper-case url-sha256 value still matches", () => {
    const hashed = indicatorSet([{ kind: "url-sha256", value: sha256Tagged("listed.example/x").toUpperCase().replace("SHA256:", "sha256:") }]);
    const engine = engineWith(FSL_RULE, hashed);
    feed(engine, [merchant(), tx({ checkout: { url: "https://listed.example/x/" } })]);
    expect(signalOf(engine, "fsl")?.value).toBe(90);
  });
});

describe("flagged-site-link: expiry and confidence", () => {
  it("an entry expired before the event never matches", () => {
    const set = indicatorSet([{ kind: "domain", value: "old.example", validUntil: "2026-03-01T00:00:00Z" }]);
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant({ websites: ["https://old.example/"] }), tx({ checkout: { referrerUrl: "https://old.example/x" } })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
    expect(engine.counts.alerts).toBe(0);
  });

  it("validity is judged at the event's time: valid before validUntil, not at or after it", () => {
    const set = indicatorSet([{ kind: "domain", value: "soon.example", validUntil: "2026-03-10T00:00:00Z" }]);
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [
      merchant({ merchantId: M1 }),
      tx({ merchantId: M1, occurredAt: "2026-03-09T23:59:59Z", checkout: { referrerUrl: "https://soon.example/" } }),
      merchant({ merchantId: M2 }),
      tx({ merchantId: M2, occurredAt: "2026-03-10T00:00:00Z", checkout: { referrerUrl: "https://soon.example/" } }),
    ]);
    expect(signalOf(engine, "fsl", M1)?.value).toBe(90);
    expect(signalOf(engine, "fsl", M2)).toBeUndefined();
  });

  it("an expired entry is ignored while a valid entry for the same domain matches", () => {
    const set = indicatorSet([
      { id: "old", kind: "domain", value: "both.example", confidence: 95, validUntil: "2026-01-01T00:00:00Z" },
      { id: "new", kind: "domain", value: "both.example", confidence: 60 },
    ]);
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant({ websites: ["https://both.example/"] })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 60, critical: false });
    expect(signalOf(engine, "fsl")?.indicators.map((i) => i.id)).toEqual(["new"]);
  });

  it("ignores an entry below minConfidence and takes one at it", () => {
    const set = indicatorSet([
      { id: "low", kind: "domain", value: "low.example", confidence: 49 },
      { id: "edge", kind: "domain", value: "edge.example", confidence: 50 },
    ]);
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), tx({ checkout: { referrerUrl: "https://low.example/" } })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
    feed(engine, [tx({ checkout: { referrerUrl: "https://edge.example/" } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 50, threshold: 50, strength: 0.5, critical: false });
  });

  it("is critical at criticalConfidence and alerts with severity critical; one below is not", () => {
    const set = indicatorSet([
      { id: "c79", kind: "domain", value: "c79.example", confidence: 79 },
      { id: "c80", kind: "domain", value: "c80.example", confidence: 80 },
    ]);
    const below = engineWith(FSL_RULE, set);
    const [a79] = feed(below, [merchant({ websites: ["https://c79.example/"] })]);
    expect(signalOf(below, "fsl")?.critical).toBe(false);
    expect(a79).toMatchObject({ score: 79, severity: "high" });

    const at = engineWith(FSL_RULE, set);
    const [a80] = feed(at, [merchant({ websites: ["https://c80.example/"] })]);
    expect(signalOf(at, "fsl")?.critical).toBe(true);
    expect(a80).toMatchObject({ score: 80, severity: "critical" });
    // the explanation says why it is critical whatever its score
    expect(a79!.signals[0]!.explanation).toBe("links to a flagged site (c79.example): indicator confidence 79 (counted from 50; from 80 it alerts at once, as critical)");
    expect(a80!.signals[0]!.explanation).toBe("links to a flagged site (c80.example): indicator confidence 80, at or above 80: alerted at once as critical, whatever the score");
  });

  it("a critical match alerts even when the rule's weight keeps the score under alertAt", () => {
    const light = FSL_RULE.replace("weight: 100", "weight: 10");
    const engine = engineWith(light, indicatorSet([{ kind: "domain", value: "bad.example", confidence: 85 }]));
    const alerts = feed(engine, [merchant({ websites: ["https://bad.example/"] })]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ score: 9, severity: "critical" });
  });
});

describe("flagged-site-link: sources", () => {
  const set = indicatorSet([{ id: "ind-1", kind: "domain", value: "bad.example", confidence: 70 }]);

  it("matches a checkout referrer", () => {
    const engine = engineWith(FSL_RULE, set);
    const t = tx({ checkout: { url: "https://pay.shop.example/c/1", referrerUrl: "https://bad.example/promo" } });
    feed(engine, [merchant(), t]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 70, eventIds: [t.eventId], detail: "bad.example" });
  });

  it("matches the checkout page itself", () => {
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), tx({ checkout: { url: "https://pay.bad.example/c/1" } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 70, detail: "pay.bad.example" });
  });

  it("matches a link seen by a crawl, and the crawled URL itself", () => {
    const linked = engineWith(FSL_RULE, set);
    const c = crawl({ url: "https://shop.example/", linkedUrls: ["https://fine.example/", "https://gallery.bad.example/x"] });
    feed(linked, [merchant(), c]);
    expect(signalOf(linked, "fsl")).toMatchObject({ eventIds: [c.eventId], detail: "gallery.bad.example" });

    const crawled = engineWith(FSL_RULE, set);
    feed(crawled, [merchant(), crawl({ url: "https://www.bad.example/" })]);
    expect(signalOf(crawled, "fsl")?.detail).toBe("bad.example");
  });

  it("looks only where `sources` says", () => {
    const onlyWebsites = FSL_RULE.replace("criticalConfidence: 80 }", "criticalConfidence: 80, sources: [websites] }");
    const engine = engineWith(onlyWebsites, set);
    feed(engine, [
      merchant(),
      tx({ checkout: { url: "https://bad.example/c", referrerUrl: "https://bad.example/r" } }),
      crawl({ url: "https://bad.example/", linkedUrls: ["https://bad.example/l"] }),
    ]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
    feed(engine, [merchant({ websites: ["https://bad.example/"] })]);
    expect(signalOf(engine, "fsl")?.eventIds).toEqual(["e-4"]);

    const onlyReferrer = engineWith(FSL_RULE.replace("criticalConfidence: 80 }", "criticalConfidence: 80, sources: [referrer] }"), set);
    feed(onlyReferrer, [merchant({ websites: ["https://bad.example/"] }), tx({ checkout: { url: "https://bad.example/c" } })]);
    expect(signalOf(onlyReferrer, "fsl")).toBeUndefined();
    feed(onlyReferrer, [tx({ checkout: { referrerUrl: "https://bad.example/r" } })]);
    expect(signalOf(onlyReferrer, "fsl")?.value).toBe(70);
  });

  it("collects several indicators: value is the best confidence, all indicators and hosts are evidence", () => {
    const two = indicatorSet([
      { id: "a", kind: "domain", value: "a-bad.example", confidence: 60 },
      { id: "b", kind: "domain", value: "b-bad.example", confidence: 78 },
    ]);
    const engine = engineWith(FSL_RULE, two);
    feed(engine, [
      merchant(),
      tx({ checkout: { referrerUrl: "https://a-bad.example/" } }),
      tx({ checkout: { referrerUrl: "https://b-bad.example/" } }),
      tx({ checkout: { referrerUrl: "https://a-bad.example/again" } }),
    ]);
    const s = signalOf(engine, "fsl")!;
    expect(s.value).toBe(78);
    expect(s.strength).toBe(0.78);
    expect(s.indicators.map((i) => i.id)).toEqual(["a", "b"]);
    expect(s.detail).toBe("a-bad.example, b-bad.example");
    expect(s.eventIds).toEqual(["e-2", "e-3", "e-4"]);
  });

  it("a merchant with no flagged link has no signal and no alert", () => {
    const engine = engineWith(FSL_RULE, set);
    const alerts = feed(engine, [
      merchant(),
      tx({ checkout: { url: "https://shop.example/pay", referrerUrl: "https://search-engine.example/?q=x" } }),
      crawl({ linkedUrls: ["https://good.example/", "mailto:info@shop.example"] }),
    ]);
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("a mailto: link to an address at a flagged domain is not a link to the site", () => {
    const engine = engineWith(FSL_RULE, set);
    feed(engine, [merchant(), crawl({ linkedUrls: ["mailto:someone@bad.example"] })]);
    expect(signalOf(engine, "fsl")).toBeUndefined();
  });

  it("a strong match stays in the bounded list when many weaker ones follow it", () => {
    const many = indicatorSet(
      [{ id: "strong", kind: "domain", value: "strong-bad.example", confidence: 95 }, ...Array.from({ length: 12 }, (_, i) => ({ id: `weak-${i}`, kind: "domain" as const, value: `weak-${i}.example`, confidence: 55 }))],
      SET,
    );
    const engine = engineWith(FSL_RULE, many);
    feed(engine, [merchant(), tx({ checkout: { referrerUrl: "https://strong-bad.example/" } }), ...Array.from({ length: 12 }, (_, i) => tx({ checkout: { referrerUrl: `https://weak-${i}.example/` } }))]);
    const s = signalOf(engine, "fsl")!;
    expect(s.indicators).toHaveLength(8);
    expect(s.indicators.map((r) => r.id)).toContain("strong");
    expect(s).toMatchObject({ value: 95, critical: true });
  });
});
