// Flagged-site link: a website of the merchant, a checkout page, a checkout referrer or a link seen by a crawl
// matches a URL, domain or hashed-URL indicator (a page listed without a query matches it with any query, and a
// listed page a URL whose path has doubled slashes or is not in NFC, all of which the alert says, its explanation by
// host and its evidence by entry: matchedAs), or its host is a
// listed IP address. The EFC's first trace: the money path touches a listed site.
// A host drawn like a listed domain or a listed page's host (ѕhop-a.example with a Cyrillic ѕ) is a look-alike: named
// as such, and counted as an entry of a share of its confidence (lookAlikeShare); one only typed like a listed domain
// or a listed page's host (flaggedga11ery.example, flagged-gallery.example against flaggedgallery.example, the name
// under another suffix) of a smaller share (typedShare).
import { domainToUnicode } from "node:url";
import { z } from "zod";
import { defineKind, indicatorFinding, keep, keepStrongest, noteEvidence, recheckedEvidence, share, type EvalInput, type Finding, confidenceText } from "../kind.js";
import { pushRecent } from "../../state/window.js";
import { citation, markLookAlike, type IndicatorRef, type UrlMatchesAt } from "../../indicators/index.js";
import { canonicalUrl, sha256Tagged, urlHost } from "../../lib/url.js";
import type { MatchedAsEvidence } from "../../decode/events.js";

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
  /**
   * a host drawn like a listed name counts as an entry of this share of its confidence, for minConfidence and
   * criticalConfidence alike: a deliberate look-alike, or a name that happens to look so (a word of another script);
   * 0.75 counts one listed at 80 or more enough to alert on its own (60 points of 100), never at once; 1 counts it as
   * the listed name itself
   */
  lookAlikeShare: share().default(0.75),
  /**
   * a host only typed like a listed domain or a listed page's host (an ASCII typosquat: rn for m, 1 for l, a hyphen or
   * a doubled letter more or less, a letter dropped or added, another suffix) counts as an entry of this share of its
   * confidence: such pairs occur between honest
   * names more often than a drawing in another script does; 0.55 counts one listed at 90 or more (50 to 55 points of
   * 100), so that with the default weight and alertAt it adds to other evidence and never alerts on its own
   */
  typedShare: share().default(0.55),
});

interface Slot {
  matched: IndicatorRef[];
  hosts: string[];
  eventIds: string[];
  /** the URLs that matched, looked up again when the indicator sets in force change (absent in slots before 2026-12-05) */
  urls?: string[];
  /** hosts where a page listed without a query matched a URL with one, which the alert says (absent when none) */
  withoutQuery?: string[];
  /** hosts where a listed page matched a URL's path only with its doubled slashes merged, or in NFC (absent when none) */
  slashesMerged?: string[];
  nfc?: string[];
  /**
   * for the alert's evidence, the URL an entry of `matched` matched and how: a url entry's only when it matched none
   * as written (one without a record did), a hashed entry's always (absent when none)
   */
  matchedAs?: AsRecord[];
  /**
   * entries a host only looks like, and which host looks like which listed domain or listed page's host (`page`), at
   * the entry's confidence (both absent when none)
   */
  lookAlikes?: IndicatorRef[];
  /** for the alert's evidence, the first URL each entry of `lookAlikes` was drawn like by (absent when none) */
  lookAlikeAs?: AsRecord[];
  lookAlikeHosts?: { host: string; listed: string; page: boolean; confidence: number; red?: true; typed?: true }[];
  /** entries of `lookAlikes` that a host was only typed like, never drawn like (by citation; absent when none) */
  typedOnly?: string[];
}
/** An entry, and the URL it matched and how, as the alert's evidence gives them (MatchedAsEvidence). */
type AsRecord = { set: string; id: string; as: MatchedAsEvidence };
type Params = z.infer<typeof Params>;
const fresh = (): Slot => ({ matched: [], hosts: [], eventIds: [], urls: [] });
const CAP = 8;

/** An entry's confidence as a look-alike of it counts: drawn like it, or only typed like it. */
const lookAlikeConfidence = (r: IndicatorRef, p: Params, typed: boolean | undefined): number =>
  Math.round(r.confidence * (typed ? p.typedShare : p.lookAlikeShare));
const typedKey = (r: IndicatorRef): string => citation(r.source, r.set, r.id);

/** Checks one URL; true when it matched an indicator or looks like a listed name (recorded in the slot, created then). */
function check(input: EvalInput<Params, Slot>, url: string): boolean {
  const { minConfidence } = input.params;
  // one lookup for all the rule asks of the URL
  const matches = input.env.indicators.matchesAt(url, input.at);
  // nearly every URL matches nothing: return before the filters allocate
  if (matches.listed.length === 0 && matches.lookAlikes.length === 0) return false;
  const refs = matches.listed.filter((r) => r.confidence >= minConfidence);
  const alike = matches.lookAlikes.filter((m) => lookAlikeConfidence(m.ref, input.params, m.typed) >= minConfidence);
  if (refs.length === 0 && alike.length === 0) return false;
  const slot = keep(input, fresh);
  const host = urlHost(url);
  const urls = (slot.urls ??= []);
  if (!urls.includes(url)) pushRecent(urls, url, CAP);
  for (const m of alike) {
    const added = keepStrongest((slot.lookAlikes ??= []), m.ref, CAP);
    noteTyped(slot, m.ref, added, m.typed);
    const seen = (slot.lookAlikeHosts ??= []);
    if (!host) continue;
    if (added) noteRecord(slot, "lookAlikeAs", slot.lookAlikes!, m.ref, { host, urlSha256: maskedHash(url), lookAlike: true });
    const page = m.ref.kind === "url";
    // a name listed only at TLP:RED is never written where it could leave the member (see detailOf)
    const mark = markLookAlike(seen, (s) => s.host === host && s.listed === m.listed && s.page === page, m.ref, () => ({
      host,
      listed: m.listed,
      page,
      confidence: m.ref.confidence,
      ...(m.typed && { typed: true as const }),
    }));
    mark.confidence = Math.max(mark.confidence, m.ref.confidence);
    if (seen.length > CAP) seen.shift();
  }
  if (refs.length === 0) return true;
  for (const r of refs) noteMatch(slot, r, matches, host, url);
  if (host && !slot.hosts.includes(host)) pushRecent(slot.hosts, host, CAP);
  if (!host) return true;
  // a reviewer weighs a listed page reached with a query the entry did not name, or by another form of its path than
  // the one listed: the alert says so
  if (matches.withoutQuery.some((r) => r.confidence >= minConfidence)) noteHost((slot.withoutQuery ??= []), host);
  for (const m of matches.matchedAs)
    if (m.ref.confidence >= minConfidence) {
      if (m.slashes) noteHost((slot.slashesMerged ??= []), host);
      if (m.nfc) noteHost((slot.nfc ??= []), host);
    }
  return true;
}

/**
 * Keeps `typedOnly` as the look-alike just seen says: an entry added typed joins it, one drawn like leaves it for
 * good; those keepStrongest let go leave it too.
 */
function noteTyped(slot: Slot, r: IndicatorRef, added: boolean, typed: boolean | undefined): void {
  const key = typedKey(r);
  let keys = slot.typedOnly ?? [];
  if (added && typed) keys.push(key);
  else if (!typed) keys = keys.filter((k) => k !== key);
  keys = keys.filter((k) => slot.lookAlikes!.some((m) => typedKey(m) === k));
  if (keys.length) slot.typedOnly = keys;
  else delete slot.typedOnly;
}

/**
 * The URL on `host` that `r` matched, masked, with the forms when not as written. Undefined for a url entry matched
 * as written (its value is the page) and a domain or ip entry (the host names it); a hashed entry (url-sha256,
 * domain-sha256) always has one: its hash hides what it lists, and the URL is the only name of it the case has.
 */
function matchedAs(matches: UrlMatchesAt, r: IndicatorRef, host: string, url: string): MatchedAsEvidence | undefined {
  const withoutQuery = matches.withoutQuery.includes(r);
  const form = matches.matchedAs.find((m) => m.ref === r);
  if (!withoutQuery && !form && r.kind !== "url-sha256" && r.kind !== "domain-sha256") return undefined;
  return {
    host,
    urlSha256: maskedHash(url),
    ...(withoutQuery && { withoutQuery: true as const }),
    ...(form?.slashes && { slashesMerged: true as const }),
    ...(form?.nfc && { nfc: true as const }),
  };
}

/** A URL's hash as the case masks the address (urlHash), so the case page finds it among the evidence's. */
const maskedHash = (url: string): string => sha256Tagged(canonicalUrl(url) ?? url);

const sameEntry =
  (r: { set: string; id: string }) =>
  (m: { set: string; id: string }): boolean =>
    m.set === r.set && m.id === r.id;

/** Whether an entry matched a URL only in another form (or without its query). */
const otherwise = (as: MatchedAsEvidence | undefined): boolean => as !== undefined && (as.withoutQuery || as.slashesMerged || as.nfc) === true;

/**
 * Records a match of `r` on `url`, and how it matched (matchedAs): the first URL an entry matched is kept, until a URL
 * matches an entry that matched only otherwise as written (then that one is: a url entry's record goes, a hashed
 * entry's becomes that URL's).
 */
function noteMatch(slot: Slot, r: IndicatorRef, matches: UrlMatchesAt, host: string | null, url: string): void {
  const added = keepStrongest(slot.matched, r, CAP);
  const had = added ? undefined : slot.matchedAs?.find(sameEntry(r));
  // an entry known to have matched as written stays so: the usual case, a sale through the same address again, looks
  // no further (a hashed entry's record would cost a hash per sale)
  if (!added && !(had && otherwise(had.as))) return;
  const as = host ? matchedAs(matches, r, host, url) : undefined;
  if (added) {
    if (as || slot.matchedAs) noteRecord(slot, "matchedAs", slot.matched, r, as);
  } else if (!otherwise(as)) {
    if (as) had!.as = as;
    else dropRecords(slot, "matchedAs", (m) => m !== had);
  }
}

/** Records how an entry just added to `entries` matched (none: as written); an entry keepStrongest let go takes its record along. */
function noteRecord(slot: Slot, key: "matchedAs" | "lookAlikeAs", entries: readonly IndicatorRef[], r: IndicatorRef, as: MatchedAsEvidence | undefined): void {
  if (as) (slot[key] ??= []).push({ set: r.set, id: r.id, as });
  dropRecords(slot, key, (m) => entries.some(sameEntry(m)));
}

const dropRecords = (slot: Slot, key: "matchedAs" | "lookAlikeAs", keep: (m: AsRecord) => boolean): void => {
  const kept = slot[key]?.filter(keep) ?? [];
  if (kept.length) slot[key] = kept;
  else delete slot[key];
};

/** Entries with how each matched, as their records say (the same array when none has one). */
const withRecords = (refs: readonly IndicatorRef[], records: readonly AsRecord[] | undefined): readonly (IndicatorRef & { matchedAs?: MatchedAsEvidence })[] =>
  records
    ? refs.map((r) => {
        const as = records.find(sameEntry(r))?.as;
        return as ? { ...r, matchedAs: as } : r;
      })
    : refs;

const noteHost = (hosts: string[], host: string): void => {
  if (!hosts.includes(host)) pushRecent(hosts, host, CAP);
};

/**
 * How an entry matched a URL other than as written, in words: the alert's explanation and the case page say it so (a
 * look-alike's explanation in words of its own, with the name it looks like).
 */
export function formWords(m: { withoutQuery?: boolean; slashesMerged?: boolean; nfc?: boolean; lookAlike?: boolean }): string[] {
  const how: string[] = [];
  if (m.withoutQuery) how.push("without its query");
  if (m.slashesMerged) how.push("with its path's doubled slashes merged");
  if (m.nfc) how.push("with the accents in its path composed (Unicode NFC)");
  if (m.lookAlike) how.push("a look-alike: its host only drawn like the listed name, not it");
  return how;
}

/** How a listed page matched a URL on `host` other than as written, for the explanation (empty when as written). */
const matchedHow = (slot: Slot, host: string): string[] =>
  formWords({ withoutQuery: slot.withoutQuery?.includes(host), slashesMerged: slot.slashesMerged?.includes(host), nfc: slot.nfc?.includes(host) });

/**
 * The hosts that matched, for the alert's explanation, each saying when a listed page matched without the URL's query
 * or in another form of its path (the URL as seen is in the evidence; the listed path is never written here); then the
 * look-alikes, each with its Unicode form (what the cardholder saw) and the name it looks like.
 */
function detailOf(slot: Slot, p: Params): string {
  const hosts = slot.hosts.map((h) => {
    const how = matchedHow(slot, h);
    return how.length ? `${h} (a listed page, matched ${how.join(", ")})` : h;
  });
  for (const { host, listed, page, confidence, red, typed } of slot.lookAlikeHosts ?? []) {
    const share = Math.round((typed ? p.typedShare : p.lookAlikeShare) * 100);
    const like = typed ? "typed like" : "drawn like";
    hosts.push(
      // the explanation goes into case files, which leave TLP:RED matches out: such a name is on the case page only
      // (an ASCII host is shown as it is: its Unicode form is itself)
      `${typed ? host : `${host} (${domainToUnicode(host)})`}: ` +
        (red
          ? `not listed itself but ${like} ${page ? "the host of a listed page" : "a listed name"} on a TLP:RED list (named in the case's evidence, never in its files)`
          : `not ${page ? `${listed}, the host of a listed page,` : `the listed ${listed}`} but ${like} it${typed ? " (an ASCII typosquat)" : ""}`) +
        `, counted at ${share}% of the entry's confidence ${confidence}`,
    );
  }
  return hosts.join(", ");
}

/** The finding: the strongest of the matches and of the look-alikes at their share; critical only as the counted confidence says. */
function findingOf(slot: Slot, p: Params): Finding {
  // an entry also matched as listed counts as such
  const alike = (slot.lookAlikes ?? []).filter((r) => !slot.matched.some((m) => m.set === r.set && m.id === r.id));
  const counted = alike.map((r) => ({ ...r, confidence: lookAlikeConfidence(r, p, slot.typedOnly?.includes(typedKey(r))) }));
  const matched = withRecords(slot.matched, slot.matchedAs);
  const f = indicatorFinding([...matched, ...counted], slot.eventIds, detailOf(slot, p), p);
  // the alert cites the entries as listed, with their own confidence, and how each matched when not as written (a
  // look-alike's says so: its publisher's entry was not itself seen)
  return { ...f, indicators: [...matched, ...withRecords(alike, slot.lookAlikeAs)] };
}

export default defineKind<Params, Slot>({
  kind: "flagged-site-link",
  summary: "a website, checkout page, referrer or crawled link matches a flagged URL/domain/hashed-URL/IP indicator, or its host is drawn like a listed name",
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
      return findingOf(slot, params);
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
    return findingOf(slot, params);
  },
  explain: (f, p) => `links to a flagged site (${f.detail || "host withheld"}): indicator ${confidenceText(f.value, p.minConfidence, p.criticalConfidence)}`,
});
