// A listed page was dodged by decorating its link with any query parameter (?ref=x, ?fbclid=…): the URL's canonical
// form kept the query, so neither the url entry nor its url-sha256 matched. A url or url-sha256 entry without a query
// now matches the page with any query (the alert says it matched without its query); one with a query matches that
// query only (its parameters in any order); domain entries match as before.
import { beforeEach, describe, expect, it } from "vitest";
import { IndicatorIndex } from "../src/indicators/index.js";
import { sha256Tagged } from "../src/lib/url.js";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
const SET = indicatorSet([
  { id: "page", kind: "url", value: "https://listed.example/album/17" },
  { id: "hashed-page", kind: "url-sha256", value: sha256Tagged("hashed.example/album/17") },
  { id: "with-query", kind: "url", value: "https://board.example/view.php?b=2&a=1" },
  { id: "hashed-with-query", kind: "url-sha256", value: sha256Tagged("vault.example/view.php?id=9") },
  { id: "dom", kind: "domain", value: "flagged.example" },
]);
const index = new IndicatorIndex();
index.add(SET);
const ids = (url: string) => index.matchUrl(url, AT).map((r) => r.id);

beforeEach(() => resetEvents());

describe("a url or url-sha256 entry without a query", () => {
  it.each([
    ["a referral parameter", "?ref=x"],
    ["a click id", "?fbclid=IwAR0tokalpha"],
    ["several parameters", "?page=2&sort=new"],
    ["a parameter beside utm_*", "?utm_source=mail&ref=x"],
    ["an empty value", "?x="],
  ])("matches the listed page with %s", (_, query) => {
    expect(ids(`https://listed.example/album/17${query}`)).toEqual(["page"]);
    expect(ids(`https://www.listed.example/album/17/${query}#top`)).toEqual(["page"]);
    expect(ids(`https://hashed.example/album/17${query}`)).toEqual(["hashed-page"]);
  });

  it("matches no other page of the site, with or without a query", () => {
    expect(ids("https://listed.example/album/18?ref=x")).toEqual([]);
    expect(ids("https://listed.example/album?ref=x")).toEqual([]);
    expect(ids("https://listed.example/album/17/extra?ref=x")).toEqual([]);
    expect(ids("https://hashed.example/album/1?ref=x")).toEqual([]);
  });

  it("tells which form matched: the index says a match was of the page without the URL's query", () => {
    expect(index.matchedWithoutQuery("https://listed.example/album/17?ref=x", AT).map((r) => r.id)).toEqual(["page"]);
    expect(index.matchedWithoutQuery("https://hashed.example/album/17?ref=x", AT).map((r) => r.id)).toEqual(["hashed-page"]);
    expect(index.matchedWithoutQuery("https://listed.example/album/17", AT)).toEqual([]);
    expect(index.matchedWithoutQuery("https://listed.example/album/17?utm_source=x", AT)).toEqual([]);
    expect(index.matchedWithoutQuery("https://board.example/view.php?a=1&b=2", AT)).toEqual([]);
  });
});

describe("a url or url-sha256 entry with a query", () => {
  it("matches that query, its parameters in any order", () => {
    expect(ids("https://board.example/view.php?a=1&b=2")).toEqual(["with-query"]);
    expect(ids("http://board.example/view.php?b=2&utm_medium=x&a=1")).toEqual(["with-query"]);
    expect(ids("https://vault.example/view.php?id=9")).toEqual(["hashed-with-query"]);
  });

  it("matches no other query, nor the page without one", () => {
    expect(ids("https://board.example/view.php")).toEqual([]);
    expect(ids("https://board.example/view.php?a=1")).toEqual([]);
    expect(ids("https://board.example/view.php?a=1&b=2&c=3")).toEqual([]);
    expect(ids("https://vault.example/view.php?id=10")).toEqual([]);
    expect(ids("https://vault.example/view.php")).toEqual([]);
  });
});

describe("a domain entry", () => {
  it("matches as it did, once, with or without a query", () => {
    expect(ids("https://shop.flagged.example/a?ref=x")).toEqual(["dom"]);
    expect(index.matchedWithoutQuery("https://shop.flagged.example/a?ref=x", AT)).toEqual([]);
  });
});

describe("flagged-site-link", () => {
  it("says on the alert that a listed page matched without its query, and not for an exact match", () => {
    const decorated = engineWith(FSL_RULE, SET);
    const alerts = feed(decorated, [merchant(), tx({ checkout: { url: "https://shop.example/pay", referrerUrl: "https://listed.example/album/17?fbclid=tokalpha" } })]);
    expect(signalOf(decorated, "fsl")).toMatchObject({ indicators: [{ id: "page" }], detail: "listed.example (a listed page, matched without its query)" });
    expect(alerts.at(-1)!.signals.find((s) => s.rule === "fsl")!.explanation).toMatch(/^links to a flagged site \(listed\.example \(a listed page, matched without its query\)\)/);

    const exact = engineWith(FSL_RULE, SET);
    feed(exact, [merchant(), tx({ checkout: { url: "https://shop.example/pay", referrerUrl: "https://listed.example/album/17" } })]);
    expect(signalOf(exact, "fsl")).toMatchObject({ indicators: [{ id: "page" }], detail: "listed.example" });
  });

  it("says it again when the sets change and the kept URL is looked up anew", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant(), tx({ checkout: { url: "https://hashed.example/album/17?ref=x" } })]);
    expect(signalOf(engine, "fsl")?.detail).toBe("hashed.example (a listed page, matched without its query)");
    const next = new IndicatorIndex();
    next.add(SET);
    next.add(indicatorSet([{ kind: "domain", value: "unrelated.example" }], { id: "set-other" }));
    engine.replaceIndicators(next);
    feed(engine, [tx({ checkout: { url: "https://shop.example/pay" } })]);
    expect(signalOf(engine, "fsl")).toMatchObject({ indicators: [{ id: "hashed-page" }], detail: "hashed.example (a listed page, matched without its query)" });
  });
});
