// What may leave a member: plaintext abuse URLs are replaced by hashes where a hash will do, and TLP:RED entries
// never leave the member that holds them.
import { canonicalHost, canonicalUrl, sha256Tagged } from "../lib/url.js";
import type { IndicatorEntry, IndicatorSet } from "./schema.js";

/**
 * url → url-sha256 and domain → domain-sha256 of their canonical forms; matching works the same from either. Every
 * entry loses its description, which may name in plain text what the hash hides (a MISP event's info does).
 */
export function hashPlaintext(set: IndicatorSet): IndicatorSet {
  return { ...set, signature: undefined, entries: set.entries.map(hashEntry) };
}

function hashEntry({ description: _description, ...e }: IndicatorEntry): IndicatorEntry {
  if (e.kind === "url") {
    const c = canonicalUrl(e.value);
    return c ? { ...e, kind: "url-sha256", value: sha256Tagged(c) } : e;
  }
  if (e.kind === "domain") return { ...e, kind: "domain-sha256", value: sha256Tagged(canonicalHost(e.value.trim())) };
  return e;
}

/** The set as it may be shared outside the member: without TLP:RED entries (and unsigned, as its content changed). */
export function shareable(set: IndicatorSet): IndicatorSet {
  const entries = set.entries.filter((e) => e.tlp !== "red");
  return entries.length === set.entries.length ? set : { ...set, signature: undefined, entries };
}
