// Disguised site: a crawl saw different content depending on the referrer, the mark of a front site that
// shows reviewers a harmless shop and sends referred buyers elsewhere.
import { z } from "zod";
import { defineKind, keep, type Finding } from "../kind.js";
import { urlHost } from "../../lib/url.js";

const Params = z.strictObject({});

interface Page {
  url: string;
  eventId: string;
}

interface Slot {
  /** pages last seen cloaked and not crawled clean since, oldest first (bounded) */
  pages: Page[];
}
const fresh = (): Slot => ({ pages: [] });

const CAP = 4;

// the host only: the page's full address is in the cited crawl, which a reviewer reveals on purpose (and audited)
const finding = (p: Page): Finding => ({ value: 1, threshold: 1, eventIds: [p.eventId], detail: urlHost(p.url) ?? undefined });

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "cloaked-content",
  summary: "a crawl saw the merchant's site serve different content depending on the referrer",
  params: Params,
  on: ["site_observation"],
  evaluate(input) {
    const { event } = input;
    if (event.type !== "site_observation" || event.contentDiffersByReferrer === undefined) return undefined;
    if (!event.contentDiffersByReferrer && !input.slot) return undefined;
    const pages = keep(input, fresh).pages;
    const i = pages.findIndex((p) => p.url === event.url);
    if (!event.contentDiffersByReferrer) {
      // only a clean crawl of the same page withdraws the finding on that page; other cloaked pages keep it
      if (i < 0) return undefined;
      pages.splice(i, 1);
      const last = pages[pages.length - 1];
      return last ? finding(last) : null;
    }
    if (i >= 0) pages.splice(i, 1);
    pages.push({ url: event.url, eventId: event.eventId });
    if (pages.length > CAP) pages.shift();
    return finding(pages[pages.length - 1]!);
  },
  explain: (f) => `a crawl of a page on ${f.detail ?? "the site"} saw content change with the referrer (cloaking)`,
});
