// One lookup in the indicator-url memo (its hits and misses, /metrics' moneytrail_memo_lookups_total) per address
// asked about: flagged-site-link takes a URL's matches, the pages listed without its query and its look-alikes in one
// (IndicatorIndex.matchesAt), and a crawl's evidence looks each of its addresses up once, though it both keeps the
// flagged links first and marks them (it looked each kept one up twice).
import { beforeEach, describe, expect, it } from "vitest";
import { Memo } from "../src/lib/memo.js";
import { summariseEvent } from "../src/state/evidence.js";
import { crawl, engineWith, feed, indexOf, indicatorSet, merchant, resetEvents } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";

/** Cyrillic small dze, drawn like s */
const DZE = "\u0455";
const SET = indicatorSet([
  { id: "dom", kind: "domain", value: "shop-a.example" },
  { id: "page", kind: "url", value: "https://pages.example/album/17" },
]);
/** the latest index's memo: make the index just before counting */
const lookups = (): number => {
  const m = Memo.named.get("indicator-url")!;
  return m.hits + m.misses;
};
/** a crawl of a page with five links: one listed page (with a query), one look-alike, three that match nothing */
const LINKS = ["https://plain-1.example/", "https://pages.example/album/17?ref=x", "https://plain-2.example/a", `https://${DZE}hop-a.example/`, "https://plain-3.example/"];

beforeEach(() => resetEvents());

describe("indicator-url lookups", () => {
  it("a crawl's evidence looks each address up once", () => {
    const index = indexOf(SET);
    const e = crawl({ url: "https://page.example/", linkedUrls: LINKS });
    const before = lookups();
    const summary = summariseEvent(e, index, Date.parse(e.occurredAt));
    expect(lookups() - before).toBe(1 + LINKS.length);
    // the flagged first, then the rest in order; both marked
    expect(summary.linkedUrls).toEqual([LINKS[1], LINKS[3], LINKS[0], LINKS[2], LINKS[4]]);
    expect(summary.flagged).toEqual([{ url: LINKS[1] }, { url: LINKS[3], lookAlikeOf: [{ name: "shop-a.example", page: false }] }]);
  });

  it("flagged-site-link asks once per address, and the evidence of the event it cites once more", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant({ websites: ["https://own.example/"] })]);
    const plain = crawl({ url: "https://page.example/", linkedUrls: ["https://plain-1.example/", "https://plain-2.example/"] });
    let before = lookups();
    feed(engine, [plain]);
    expect(lookups() - before).toBe(3);
    const e = crawl({ url: "https://page.example/", linkedUrls: LINKS });
    before = lookups();
    const alerts = feed(engine, [e]);
    expect(alerts).toHaveLength(1);
    // the rule's checks, then the evidence of the event its signal cites
    expect(lookups() - before).toBe(2 * (1 + LINKS.length));
    expect(alerts[0]!.signals[0]!.explanation).toContain("pages.example (a listed page, matched without its query)");
  });
});
