// What may leave a member: plaintext abuse URLs are replaced by hashes where a hash will do, and TLP:RED entries
// never leave the member that holds them.
import { getDomain, getDomainWithoutSuffix } from "tldts";
import { canonicalHost, canonicalUrl, parseHttpUrl, sha256Tagged } from "../lib/url.js";
import { IndicatorEntry, isHashedKind, type IndicatorKind, type IndicatorSet } from "./schema.js";

/**
 * url → url-sha256 and domain → domain-sha256 of their canonical forms; matching works the same from either. Every
 * entry loses its description, which may name in plain text what the hash hides (a MISP event's info does). A set
 * with nothing to hash or drop is returned as it is, its signature still covering it.
 */
export function hashPlaintext(set: IndicatorSet): IndicatorSet {
  const entries = set.entries.map(hashEntry);
  return entries.every((e, i) => e === set.entries[i]) ? set : { ...set, signature: undefined, entries };
}

/** The entry hashed and without its description; the entry itself when neither changes it. */
function hashEntry(e: IndicatorEntry): IndicatorEntry {
  const { description, ...rest } = e;
  if (e.kind === "url") {
    const c = canonicalUrl(e.value);
    if (c) return { ...rest, kind: "url-sha256", value: sha256Tagged(c) };
  }
  if (e.kind === "domain") return { ...rest, kind: "domain-sha256", value: sha256Tagged(canonicalHost(e.value.trim())) };
  return description === undefined ? e : rest;
}

/** An e-mail address as email-sha256 entries and events' contactEmail carry it: the trimmed, lowercased address hashed; null for no address. */
export function emailSha256(raw: string): string | null {
  const address = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(address) ? sha256Tagged(address) : null;
}

/**
 * The hashed entry's kind and value for one plain URL, domain or e-mail address, in the canonical form matching
 * hashes (what `indicators hash` prints); else why it is no value of that kind, as a set's entry would be refused.
 */
export function hashedValue(kind: "url" | "domain" | "email", plain: string): { kind: IndicatorKind; value: string } | { reason: string } {
  if (kind === "email") {
    const value = emailSha256(plain);
    return value ? { kind: "email-sha256", value } : { reason: "not an e-mail address" };
  }
  const entry = IndicatorEntry.safeParse({ id: "hash", kind, value: plain.trim(), confidence: 0 });
  if (!entry.success) return { reason: entry.error.issues[0]!.message };
  const { kind: hashed, value } = hashEntry(entry.data);
  return { kind: hashed, value };
}

/** What hashPlaintext changed from `before` to `after` (its result), in words; empty when nothing. */
export function hashChanges(before: IndicatorSet, after: IndicatorSet): string[] {
  const changed = (test: (b: IndicatorEntry, a: IndicatorEntry) => boolean) => before.entries.filter((b, i) => test(b, after.entries[i]!)).length;
  const said = (n: number, one: string, many: string, done: string) => (n ? `${n} ${n === 1 ? one : many} ${done}` : "");
  return [
    said(changed((b, a) => b.kind === "url" && a.kind === "url-sha256"), "url value", "url values", "hashed"),
    said(changed((b, a) => b.kind === "domain" && a.kind === "domain-sha256"), "domain value", "domain values", "hashed"),
    said(changed((b, a) => b.description !== undefined && a.description === undefined), "description", "descriptions", "dropped"),
  ].filter(Boolean);
}

/** Why an export names a TLP:RED entry as not exported (v1 and STIX alike). */
export const RED_NOT_EXPORTED = "TLP:RED is never exported";

/**
 * The set as it may be shared outside the member: without TLP:RED entries, and without the descriptions of hashed
 * entries, which may name in plain text what the hash hides (unsigned when either changed it, as its content did).
 */
export function shareable(set: IndicatorSet): IndicatorSet {
  const entries = set.entries.filter((e) => e.tlp !== "red").map(withoutHashedDescription);
  return entries.length === set.entries.length && entries.every((e, i) => e === set.entries[i]) ? set : { ...set, signature: undefined, entries };
}

function withoutHashedDescription(e: IndicatorEntry): IndicatorEntry {
  if (e.description === undefined || !isHashedKind(e.kind)) return e;
  const { description: _description, ...rest } = e;
  return rest;
}

/** Ids of the hashed entries that carry a description (shareable leaves it out). */
export const hashedWithDescription = (set: IndicatorSet): string[] => set.entries.filter((e) => e.description !== undefined && isHashedKind(e.kind)).map((e) => e.id);

/**
 * Ids of the `domain` entries (plain text) at TLP:AMBER or AMBER+STRICT: a site's name that a domain-sha256 hash would
 * match as well, but for look-alike hosts. hashPlaintext hashes them.
 */
export const amberPlainDomainIds = (entries: readonly IndicatorEntry[]): string[] =>
  entries.filter((e) => e.kind === "domain" && (e.tlp === "amber" || e.tlp === "amber+strict")).map((e) => e.id);

/** Ids of the entries whose value is a page's address in plain text (`url`): hashPlaintext hashes them. */
export const plainUrlIds = (entries: readonly IndicatorEntry[]): string[] => entries.filter((e) => e.kind === "url").map((e) => e.id);

/**
 * Places (entries[i]) of the url and domain entries that hashPlaintext would hash but whose id holds the site's name
 * (its host, its registrable domain, or that domain's name without its suffix, of 4 characters or more): the id
 * travels in plain text beside the hash. TLP:RED entries are left out, as every export leaves them out.
 */
export function idsNamingSites(set: IndicatorSet): string[] {
  return set.entries.flatMap((e, i) => (e.tlp !== "red" && idNamesSite(e.kind, e.value, e.id) ? [`entries[${i}]`] : []));
}

/**
 * Whether `id` holds the name of the site a url or domain entry of `value` lists (see idsNamingSites), whatever its
 * TLP: the check export --hash makes, and which an id made for an entry (the CSV import's) must pass.
 */
export function idNamesSite(kind: IndicatorKind, value: string, id: string): boolean {
  if (kind !== "url" && kind !== "domain") return false;
  const host = canonicalHost(kind === "url" ? (parseHttpUrl(value)?.hostname ?? "") : value.trim());
  const names = [host, getDomain(host), getDomainWithoutSuffix(host)].filter((n): n is string => !!n && n.length >= 4);
  const lower = id.toLowerCase();
  return names.some((n) => lower.includes(n));
}
