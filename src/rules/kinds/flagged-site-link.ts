// Flagged-site link: a website of the merchant, a checkout page, a checkout referrer or a link seen by a crawl
// matches a URL, domain or hashed-URL indicator. The EFC's first trace: the money path touches a listed site.
import { z } from "zod";
import { defineKind } from "../kind.js";
import type { IndicatorRef } from "../../indicators/index.js";
import { pushRecent } from "../../state/window.js";
import { urlHost } from "../../lib/url.js";

const Params = z.strictObject({
  /** indicators below this confidence are ignored */
  minConfidence: z.number().int().min(0).max(100).default(50),
  /** a match at or above this confidence alerts at once */
  criticalConfidence: z.number().int().min(0).max(100).default(80),
  /** where to look */
  sources: z
    .array(z.enum(["websites", "checkout", "referrer", "crawl"]))
    .min(1)
    .default(["websites", "checkout", "referrer", "crawl"]),
});

interface Slot {
  matched: IndicatorRef[];
  hosts: string[];
  eventIds: string[];
  /** URLs already checked, so a merchant's usual checkout page costs one lookup, not one per sale */
  seen: string[];
}

const CAP = 8;

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "flagged-site-link",
  summary: "a website, checkout page, referrer or crawled link matches a flagged URL/domain/hashed-URL indicator",
  params: Params,
  on: ["merchant", "transaction", "site_observation"],
  slot: () => ({ matched: [], hosts: [], eventIds: [], seen: [] }),
  evaluate({ event, at, params, slot, env }) {
    const urls: string[] = [];
    const want = params.sources;
    if (event.type === "merchant" && want.includes("websites")) urls.push(...(event.websites ?? []));
    else if (event.type === "transaction" && event.checkout) {
      if (event.checkout.url && want.includes("checkout")) urls.push(event.checkout.url);
      if (event.checkout.referrerUrl && want.includes("referrer")) urls.push(event.checkout.referrerUrl);
    } else if (event.type === "site_observation" && want.includes("crawl")) {
      urls.push(event.url, ...(event.linkedUrls ?? []));
    }
    let found = false;
    for (const url of urls) {
      // expiry depends on time, so a URL is remembered only when nothing matched it
      if (slot.seen.includes(url)) continue;
      const refs = env.indicators.matchUrl(url, at).filter((r) => r.confidence >= params.minConfidence);
      if (refs.length === 0) {
        pushRecent(slot.seen, url, 4);
        continue;
      }
      found = true;
      for (const r of refs) if (!slot.matched.some((m) => m.set === r.set && m.id === r.id)) slot.matched.push(r);
      const host = urlHost(url);
      if (host && !slot.hosts.includes(host)) slot.hosts.push(host);
    }
    if (!found) return undefined;
    pushRecent(slot.eventIds, event.eventId, 5);
    if (slot.matched.length > CAP) slot.matched.splice(0, slot.matched.length - CAP);
    if (slot.hosts.length > CAP) slot.hosts.splice(0, slot.hosts.length - CAP);
    const best = Math.max(...slot.matched.map((m) => m.confidence));
    return {
      value: best,
      threshold: params.minConfidence,
      strength: best / 100,
      critical: best >= params.criticalConfidence,
      eventIds: [...slot.eventIds],
      indicators: [...slot.matched],
      detail: slot.hosts.join(", "),
    };
  },
  explain: (f) =>
    `links to a flagged site (${f.detail || "host withheld"}): indicator confidence ${f.value}, minimum ${f.threshold}`,
});
