// Disguised site: a crawl saw different content depending on the referrer, the mark of a front site that
// shows reviewers a harmless shop and sends referred buyers elsewhere.
import { z } from "zod";
import { defineKind, keep, type Finding } from "../kind.js";
import { canonicalUrl, urlHost } from "../../lib/url.js";

const Params = z.strictObject({});

interface Page {
  /** canonical (src/lib/url.ts), so that `https://shop.example` and `https://www.shop.example/` are one page */
  url: string;
  eventId: string;
  /** time of the crawl, epoch ms: a crawl older than the one kept for its page changes nothing */
  at: number;
  /** false: a clean crawl that withdrew the page, kept so that an older cloaked crawl arriving late does not return it */
  cloaked: boolean;
}

interface Slot {
  /** the latest crawl of each page seen cloaked, in crawl time order, oldest first (bounded) */
  pages: Page[];
}
const fresh = (): Slot => ({ pages: [] });

/** cloaked pages kept, and as many clean crawls of pages that were cloaked */
const CAP = 4;

// the host only: the page's full address is in the cited crawl, which a reviewer reveals on purpose (and audited)
const finding = (p: Page): Finding => ({ value: 1, threshold: 1, eventIds: [p.eventId], detail: urlHost(p.url) ?? undefined });

/** The finding on the latest cloaked page, null when none is left. */
function latest(pages: Page[]): Finding | null {
  for (let i = pages.length - 1; i >= 0; i--) if (pages[i]!.cloaked) return finding(pages[i]!);
  return null;
}

/** Keeps the crawl in time order, dropping the oldest of its kind past the bound. */
function insert(pages: Page[], page: Page): void {
  let i = pages.length;
  while (i > 0 && pages[i - 1]!.at > page.at) i--;
  pages.splice(i, 0, page);
  if (pages.filter((p) => p.cloaked === page.cloaked).length > CAP) pages.splice(pages.findIndex((p) => p.cloaked === page.cloaked), 1);
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "cloaked-content",
  summary: "a crawl saw the merchant's site serve different content depending on the referrer",
  params: Params,
  on: ["site_observation"],
  evaluate(input) {
    const { event, at } = input;
    if (event.type !== "site_observation" || event.contentDiffersByReferrer === undefined) return undefined;
    const cloaked = event.contentDiffersByReferrer;
    if (!cloaked && !input.slot) return undefined;
    const pages = keep(input, fresh).pages;
    const url = canonicalUrl(event.url) ?? event.url;
    const i = pages.findIndex((p) => p.url === url);
    // a late crawl, older than the one that decided the page, is history: the page is as the newer crawl saw it
    if (i >= 0 && pages[i]!.at > at) return undefined;
    if (!cloaked && i < 0) return undefined;
    const was = i >= 0 && pages[i]!.cloaked;
    if (i >= 0) pages.splice(i, 1);
    insert(pages, { url, eventId: event.eventId, at, cloaked });
    // only a clean crawl of the same page withdraws the finding on that page; other cloaked pages keep it
    return cloaked || was ? latest(pages) : undefined;
  },
  explain: (f) => `a crawl of a page on ${f.detail ?? "the site"} saw content change with the referrer (cloaking)`,
  // slots written before pages had a canonical URL, a time and a verdict: cloaked pages, of unknown time
  restore: (stored) => ({ pages: (stored as Slot).pages.map((p) => ({ ...p, url: canonicalUrl(p.url) ?? p.url, at: p.at ?? 0, cloaked: p.cloaked ?? true })) }),
});
