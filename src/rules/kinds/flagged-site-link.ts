// Flagged-site link: a website of the merchant, a checkout page, a checkout referrer or a link seen by a crawl
// matches a URL, domain or hashed-URL indicator (a page listed without a query matches it with any query, which the
// alert says), or its host is a listed IP address. The EFC's first trace: the money path touches a listed site.
import { z } from "zod";
import { defineKind, indicatorFinding, keep, keepStrongest, noteEvidence, recheckedEvidence, type EvalInput, confidenceText } from "../kind.js";
import { pushRecent } from "../../state/window.js";
import type { IndicatorRef } from "../../indicators/index.js";
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
  /** the URLs that matched, looked up again when the indicator sets in force change (absent in slots before 2026-12-05) */
  urls?: string[];
  /** hosts where a page listed without a query matched a URL with one, which the alert says (absent when none) */
  withoutQuery?: string[];
}
type Params = z.infer<typeof Params>;
const fresh = (): Slot => ({ matched: [], hosts: [], eventIds: [], urls: [] });
const CAP = 8;

/** Checks one URL; true when it matched an indicator (recorded in the slot, created then). */
function check(input: EvalInput<Params, Slot>, url: string): boolean {
  const all = input.env.indicators.matchUrl(url, input.at);
  if (all.length === 0) return false;
  const refs = all.filter((r) => r.confidence >= input.params.minConfidence);
  if (refs.length === 0) return false;
  const slot = keep(input, fresh);
  for (const r of refs) keepStrongest(slot.matched, r, CAP);
  const host = urlHost(url);
  if (host && !slot.hosts.includes(host)) pushRecent(slot.hosts, host, CAP);
  const urls = (slot.urls ??= []);
  if (!urls.includes(url)) pushRecent(urls, url, CAP);
  // a reviewer weighs a listed page reached with a query the entry did not name: the alert says so
  if (host && input.env.indicators.matchedWithoutQuery(url, input.at).some((r) => r.confidence >= input.params.minConfidence)) {
    const bare = (slot.withoutQuery ??= []);
    if (!bare.includes(host)) pushRecent(bare, host, CAP);
  }
  return true;
}

/** The hosts that matched, for the alert's explanation, each saying when a listed page matched without the URL's query. */
const detailOf = (slot: Slot): string =>
  slot.hosts.map((h) => (slot.withoutQuery?.includes(h) ? `${h} (a listed page, matched without its query)` : h)).join(", ");

export default defineKind<Params, Slot>({
  kind: "flagged-site-link",
  summary: "a website, checkout page, referrer or crawled link matches a flagged URL/domain/hashed-URL/IP indicator",
  params: Params,
  on: ["merchant", "transaction", "site_observation", "indicators-changed"],
  evaluate(input) {
    const { event, params, merchant } = input;
    const want = params.sources;
    if (event.type === "indicators-changed") {
      // the URLs that matched and the profile's websites are looked up again; matches of entries revoked or expired
      // since are gone (slots written before URLs were kept give their hosts, which match domain entries again)
      const prior = input.slot;
      const urls = new Set(prior ? (prior.urls ?? prior.hosts.map((h) => `https://${h}/`)) : []);
      if (want.includes("websites")) for (const url of merchant.profile?.websites ?? []) urls.add(url);
      input.slot = undefined;
      let found = false;
      for (const url of urls) found = check(input, url) || found;
      if (!found) return null;
      const slot = input.slot!;
      slot.eventIds = recheckedEvidence(prior, input);
      return indicatorFinding(slot.matched, slot.eventIds, detailOf(slot), params);
    }
    let found = false;
    if (event.type === "merchant") {
      if (want.includes("websites")) for (const url of event.websites ?? []) found = check(input, url) || found;
    } else if (event.type === "transaction") {
      const c = event.checkout;
      if (c?.url && want.includes("checkout")) found = check(input, c.url) || found;
      if (c?.referrerUrl && want.includes("referrer")) found = check(input, c.referrerUrl) || found;
    } else if (event.type === "site_observation" && want.includes("crawl")) {
      found = check(input, event.url);
      for (const url of event.linkedUrls ?? []) found = check(input, url) || found;
    }
    if (!found) return undefined;
    const slot = input.slot!;
    noteEvidence(input, slot.eventIds, 5);
    return indicatorFinding(slot.matched, slot.eventIds, detailOf(slot), params);
  },
  explain: (f, p) => `links to a flagged site (${f.detail || "host withheld"}): indicator ${confidenceText(f.value, p.minConfidence, p.criticalConfidence)}`,
});
