import { beforeEach, describe, expect, it } from "vitest";
import { crawl, engineWith, feed, merchant, resetEvents, signalOf, state } from "../helpers/events.js";
import { Engine } from "../../src/engine.js";

const RULES = `
  - id: cloak
    kind: cloaked-content
    weight: 60
    typology: disguised-site
    params: {}
`;

const HOME = "https://shop.example/";
const OTHER = "https://shop.example/offers";

beforeEach(() => resetEvents());

describe("cloaked-content", () => {
  it("is set by a crawl that saw content differ by referrer, with the crawl as evidence", () => {
    const engine = engineWith(RULES);
    const c = crawl({ url: HOME, contentDiffersByReferrer: true });
    const alerts = feed(engine, [merchant(), c]);
    expect(signalOf(engine, "cloak")).toEqual({
      value: 1,
      threshold: 1,
      strength: 1,
      critical: false,
      eventIds: [c.eventId],
      indicators: [],
      detail: "shop.example",
      since: c.occurredAt,
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ score: 60, severity: "medium", typologies: ["disguised-site"] });
    expect(alerts[0]!.signals[0]).toMatchObject({
      rule: "cloak",
      kind: "cloaked-content",
      value: 1,
      threshold: 1,
      explanation: "a crawl of a page on shop.example saw content change with the referrer (cloaking)",
      evidence: { eventIds: [c.eventId] },
    });
    expect(alerts[0]!.signals[0]!.evidence.indicators).toBeUndefined();
  });

  it("a crawl that does not say whether content differs changes nothing", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), crawl({ url: HOME })]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
    feed(engine, [crawl({ url: HOME, contentDiffersByReferrer: true }), crawl({ url: HOME })]);
    expect(signalOf(engine, "cloak")?.eventIds).toEqual(["e-3"]);
  });

  it("a clean crawl with no finding standing is nothing", () => {
    const engine = engineWith(RULES);
    expect(feed(engine, [merchant(), crawl({ url: HOME, contentDiffersByReferrer: false })])).toEqual([]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
  });

  it("a clean crawl of another URL does not withdraw it", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant(),
      crawl({ url: HOME, contentDiffersByReferrer: true }),
      crawl({ url: OTHER, contentDiffersByReferrer: false }),
      crawl({ url: "https://elsewhere.example/", contentDiffersByReferrer: false }),
    ]);
    expect(signalOf(engine, "cloak")).toMatchObject({ detail: "shop.example", eventIds: ["e-2"] });
  });

  it("a clean crawl of the same URL withdraws it, without an alert; a new cloaked crawl sets it again", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), crawl({ url: HOME, contentDiffersByReferrer: true })]);
    expect(engine.counts.alerts).toBe(1);
    expect(feed(engine, [crawl({ url: HOME, contentDiffersByReferrer: false })])).toEqual([]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
    expect(state(engine).signals).toEqual({});

    const again = crawl({ url: HOME, contentDiffersByReferrer: true, occurredAt: "2026-03-20T00:00:00Z" });
    // the same rule with no new indicator: the merchant was already alerted for it
    expect(feed(engine, [again])).toEqual([]);
    expect(signalOf(engine, "cloak")).toMatchObject({ eventIds: [again.eventId], since: "2026-03-20T00:00:00.000Z" });
  });

  it("a repeated cloaked crawl keeps one finding and one alert, with the latest crawl as evidence", () => {
    const engine = engineWith(RULES);
    const alerts = feed(engine, [
      merchant(),
      crawl({ url: HOME, contentDiffersByReferrer: true }),
      crawl({ url: HOME, contentDiffersByReferrer: true }),
      crawl({ url: HOME, contentDiffersByReferrer: true }),
    ]);
    expect(alerts).toHaveLength(1);
    expect(signalOf(engine, "cloak")).toMatchObject({ eventIds: ["e-4"], since: "2026-03-02T00:01:00.000Z" });
  });

  it("with two cloaked pages, a clean crawl of one leaves the finding on the other", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant(),
      crawl({ url: HOME, contentDiffersByReferrer: true }),
      crawl({ url: OTHER, contentDiffersByReferrer: true }),
      crawl({ url: OTHER, contentDiffersByReferrer: false }),
    ]);
    expect(signalOf(engine, "cloak")).toMatchObject({ value: 1, detail: "shop.example", eventIds: ["e-2"] });
    feed(engine, [crawl({ url: HOME, contentDiffersByReferrer: false })]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
  });

  it("a merchant's finding is its own", () => {
    const engine = engineWith(RULES);
    feed(engine, [
      merchant({ merchantId: "acq-nl:M-1" }),
      merchant({ merchantId: "acq-nl:M-2" }),
      crawl({ merchantId: "acq-nl:M-1", url: HOME, contentDiffersByReferrer: true }),
      crawl({ merchantId: "acq-nl:M-2", url: HOME, contentDiffersByReferrer: false }),
    ]);
    expect(signalOf(engine, "cloak", "acq-nl:M-1")?.value).toBe(1);
    expect(signalOf(engine, "cloak", "acq-nl:M-2")).toBeUndefined();
  });

  it("compares pages by canonical URL: a clean crawl of https://shop.example withdraws a cloaked https://www.shop.example/", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), crawl({ url: "https://www.Shop.example/", contentDiffersByReferrer: true })]);
    expect(signalOf(engine, "cloak")?.detail).toBe("shop.example");
    feed(engine, [crawl({ url: "http://shop.example", contentDiffersByReferrer: false })]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
  });

  it("goes by the time of the crawl: a late older crawl does not override a newer one", () => {
    // cloaked on the 10th, a clean crawl of the 5th arriving after it: still cloaked
    const engine = engineWith(RULES);
    const cloaked = crawl({ url: HOME, contentDiffersByReferrer: true, occurredAt: "2026-03-10T00:00:00Z" });
    feed(engine, [merchant({ occurredAt: "2026-03-01T00:00:00Z" }), cloaked, crawl({ url: HOME, contentDiffersByReferrer: false, occurredAt: "2026-03-05T00:00:00Z" })]);
    expect(signalOf(engine, "cloak")).toMatchObject({ eventIds: [cloaked.eventId] });

    // withdrawn by a clean crawl of the 12th, a cloaked one of the 11th arriving after it does not return it
    feed(engine, [crawl({ url: HOME, contentDiffersByReferrer: false, occurredAt: "2026-03-12T00:00:00Z" })]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
    expect(feed(engine, [crawl({ url: HOME, contentDiffersByReferrer: true, occurredAt: "2026-03-11T00:00:00Z" })])).toEqual([]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
    // nor one between two clean crawls
    feed(engine, [
      crawl({ url: HOME, contentDiffersByReferrer: false, occurredAt: "2026-03-20T00:00:00Z" }),
      crawl({ url: HOME, contentDiffersByReferrer: true, occurredAt: "2026-03-15T00:00:00Z" }),
    ]);
    expect(signalOf(engine, "cloak")).toBeUndefined();
    // a newer cloaked crawl does
    const newer = crawl({ url: HOME, contentDiffersByReferrer: true, occurredAt: "2026-03-21T00:00:00Z" });
    feed(engine, [newer]);
    expect(signalOf(engine, "cloak")?.eventIds).toEqual([newer.eventId]);
  });

  it("cites the latest cloaked page by crawl time, whatever the order crawls arrive in", () => {
    const engine = engineWith(RULES);
    const newer = crawl({ url: OTHER, contentDiffersByReferrer: true, occurredAt: "2026-03-10T00:00:00Z" });
    const older = crawl({ url: HOME, contentDiffersByReferrer: true, occurredAt: "2026-03-05T00:00:00Z" });
    feed(engine, [merchant({ occurredAt: "2026-03-01T00:00:00Z" }), newer, older]);
    expect(signalOf(engine, "cloak")?.eventIds).toEqual([newer.eventId]);
    feed(engine, [crawl({ url: OTHER, contentDiffersByReferrer: false, occurredAt: "2026-03-11T00:00:00Z" })]);
    expect(signalOf(engine, "cloak")?.eventIds).toEqual([older.eventId]);
  });

  it("reads a slot checkpointed before pages had a canonical URL and a time", () => {
    const engine = engineWith(RULES);
    feed(engine, [merchant(), crawl({ url: HOME, contentDiffersByReferrer: true })]);
    const stored = engine.snapshot(state(engine));
    const slot = stored.slots["cloak@cloaked-content"] as { pages: object[] };
    slot.pages = [{ url: "https://WWW.shop.example/", eventId: "e-2" }];
    const restored = new Engine(engine.ruleSet, engine.indicators);
    restored.restore([JSON.parse(JSON.stringify(stored))]);
    feed(restored, [crawl({ url: "https://shop.example", contentDiffersByReferrer: false })]);
    expect(signalOf(restored, "cloak")).toBeUndefined();
  });
});
