// Indicator sets loaded into lookup tables. Matching honours expiry at the time of the event,
// so a replay of last year's data matches what was valid then.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { INDICATOR_SET_MAX_BYTES, indicatorKey, isRedTlp, parseAnyIndicatorSet, type IndicatorKind, type IndicatorSet, type Tlp } from "./schema.js";
import { MEMO_CAP, canonicalHost, canonicalOf, domainSuffixes, hostAddress, hostSkeleton, nameAndSuffix, parseHttpUrl, registrableDomain, sha256Tagged, typedName, typedOrigins } from "../lib/url.js";
import { Memo } from "../lib/memo.js";
import { keywordForm, keywordRuns } from "../lib/descriptor.js";
import { hash32 } from "../lib/hash.js";
import { ConfigError, withoutJsonQuote, zodIssues } from "../lib/errors.js";
import { TrustStore, verifySet } from "./sign.js";
import { withoutBom } from "../decode/decode.js";

const URL_HOST = /^(\[[^\]]*\]|[^/?:]*)/;
// a listed name's registrable label, as it reads typed, shorter than this is not looked for typed (two names of four
// letters one typo apart are common), and one shorter than TYPED_DROP not with a letter dropped (one letter off a
// short name is another word)
const TYPED_MIN = 5;
const TYPED_DROP = 8;
// nor, shorter than this, with two adjacent letters swapped or one letter typed on a neighbouring key. By
// src/bench/typosquats.ts (seed 7) at 6/7/8/9/10: 17/17/17/16/16 honest shop-name hosts marked (15 without), swaps found
// 93/92/86/74/51%; its vocabulary's names one such typo from another honest one: 18/16/13/10/6% (few short names are
// listed there, so its marks barely move): 8, as for a letter dropped or added
const TYPED_NEAR = 8;
const LETTER = /[a-z]/;
// a domain-sha256 entry's name is looked for under this many other suffixes, those the plain names are listed under most
// (a hash a suffix for every host: see hashedReadings)
const HASHED_SUFFIXES = 4;

export interface IndicatorRef {
  set: string;
  id: string;
  source: string;
  confidence: number;
  kind: IndicatorKind;
  /** epoch ms; Number.MAX_SAFE_INTEGER when the entry does not expire (not Infinity: refs are kept in
   *  per-merchant state, which must stay plain JSON, and JSON has no Infinity) */
  validUntil: number;
  /** epoch ms; 0 when valid from the start */
  validFrom: number;
  tlp?: Tlp;
}

const NONE: readonly IndicatorRef[] = Object.freeze([]);

/**
 * An entry whose listed domain or page a URL's host is only drawn like (see hostSkeleton), with the listed domain or
 * the listed page's host (its path, an abuse page's address, is no part of what an alert says); `typed` when the host
 * is only an ASCII typosquat of a listed domain or page's host (typedName, typedOrigins: for a hashed one, `listed` is
 * the name whose hash it is), which honest names are more often by chance.
 */
export interface LookAlike {
  ref: IndicatorRef;
  listed: string;
  typed?: true;
}
const NO_LOOK_ALIKES: readonly LookAlike[] = Object.freeze([]);

/**
 * An entry (url or url-sha256) that a URL matched only in another form of its path than its canonical one (otherForms):
 * the form looked up (canonical, without the query when the entry has none) and what made it from the URL as seen.
 */
export interface MatchedAs {
  ref: IndicatorRef;
  form: string;
  /** the path's runs of "/" written as one */
  slashes: boolean;
  /** the path's characters in Unicode NFC */
  nfc: boolean;
}
const NO_MATCHED_AS: readonly MatchedAs[] = Object.freeze([]);

/**
 * A URL's matches at any time: the last `withoutQuery` of them are listed pages it matched without its query; those
 * of them matched only in another form of the URL's path; and the entries its host only looks like.
 */
interface UrlMatches {
  refs: readonly IndicatorRef[];
  withoutQuery: number;
  matchedAs: readonly MatchedAs[];
  lookAlikes: readonly LookAlike[];
}
const NO_MATCHES: UrlMatches = Object.freeze({ refs: NONE, withoutQuery: 0, matchedAs: NO_MATCHED_AS, lookAlikes: NO_LOOK_ALIKES });

/**
 * A URL's matches at a time, all that flagged-site-link and the evidence ask of it in one lookup: the entries it matches
 * (matchUrl), those among them listing a page without the query it has (matchedWithoutQuery), those it matched only in
 * another form of its path (with the form), and the entries its host is only drawn like (matchLookAlikes).
 */
export interface UrlMatchesAt {
  listed: readonly IndicatorRef[];
  withoutQuery: readonly IndicatorRef[];
  matchedAs: readonly MatchedAs[];
  lookAlikes: readonly LookAlike[];
}
/** What matchesAt gives for a URL that matches nothing at any time (nearly every URL): this object, nothing allocated. */
export const NO_URL_MATCHES: UrlMatchesAt = Object.freeze({ listed: NONE, withoutQuery: NONE, matchedAs: NO_MATCHED_AS, lookAlikes: NO_LOOK_ALIKES });

/**
 * A name a host is drawn like as an alert or the evidence marks it: red while only TLP:RED entries list it (never
 * written where it could leave the member), not once an entry of another level lists it too (no secret then).
 */
export interface RedMark {
  red?: true;
}
/**
 * The mark `same` finds among `marks` with the look-alike's entry taken into its red, or else the one `make` gives
 * (red when the entry is TLP:RED), added at the end.
 */
export function markLookAlike<T extends RedMark>(marks: T[], same: (m: NoInfer<T>) => boolean, ref: IndicatorRef, make: () => NoInfer<T>): T {
  const red = isRedTlp(ref.tlp);
  const was = marks.find(same);
  if (was) {
    if (!red) delete was.red;
    return was;
  }
  const mark = make();
  if (red) mark.red = true;
  marks.push(mark);
  return mark;
}

/** An entry as an index holds it: its kind, the key it is looked up by, and what a match carries. */
interface Cited {
  kind: IndicatorKind;
  key: string;
  ref: IndicatorRef;
}

/** How a signal cites an entry: its publisher, set id and entry id (one publisher's set id names one set in force). */
export const citation = (source: string, set: string, id: string): string => JSON.stringify([source, set, id]);
const valid = (r: IndicatorRef, at: number): boolean => r.validFrom <= at && r.validUntil > at;
/** Of the matches (entries, or look-alikes by their entry), those valid at `at`: the same array when all are, as usual. */
const validAt = <T>(matches: readonly T[], at: number, refOf: (m: T) => IndicatorRef): readonly T[] =>
  matches.length === 0 || matches.every((m) => valid(refOf(m), at)) ? matches : matches.filter((m) => valid(refOf(m), at));
const asRef = (r: IndicatorRef): IndicatorRef => r;
const lookAlikeRef = (m: LookAlike): IndicatorRef => m.ref;
const matchedAsRef = (m: MatchedAs): IndicatorRef => m.ref;

/** A path (a canonical form up to its query) that a URL's page is also looked up under, and what made it. */
interface PathForm {
  path: string;
  slashes: boolean;
  nfc: boolean;
}
const NO_FORMS: readonly PathForm[] = Object.freeze([]);
// escapes of bytes above 0x7F: the URL parser escapes every non-ASCII character of a path, canonicalOf in upper case
const HIGH_ESCAPE = /%[89A-F]/;
const HIGH_ESCAPES = /(?:%[89A-F][0-9A-F])+/g;
const NON_ASCII = /[^\x00-\x7F]+/g;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A path with its non-ASCII characters in NFC, escaped again as the URL parser escapes them; a run of escapes that is no UTF-8 as it was. */
function nfcPath(path: string): string {
  const text = path.replace(HIGH_ESCAPES, (run) => {
    try {
      return UTF8.decode(Buffer.from(run.replaceAll("%", ""), "hex"));
    } catch {
      return run;
    }
  });
  const nfc = text.normalize("NFC");
  return nfc === text ? path : nfc.replace(NON_ASCII, (chars) => encodeURIComponent(chars));
}

/** A path with its runs of "/" written as one, and without the trailing "/" that may leave (as canonicalOf removes one). */
function slashesMerged(path: string): string {
  const merged = path.replace(/\/{2,}/g, "/");
  return merged.endsWith("/") ? merged.slice(0, -1) : merged;
}

/**
 * The other paths a canonical form's page is looked up under, never written in a set (a set's values and hashes are of
 * the canonical form, which keeps both as written): its runs of "/" merged, as nginx and Apache serve /a//b as /a/b by
 * default, so one doubled slash would get a link past a listed page; and its characters in NFC (é written as e and a
 * combining accent is escaped otherwise, the same name to the member who listed it). Each once, only when it differs:
 * the checks first, as most URLs have neither (a query's "/" and non-ASCII are escaped, so only the path has them).
 */
function otherForms(canonical: string, q: number): readonly PathForm[] {
  const path = q < 0 ? canonical : canonical.slice(0, q);
  const doubled = path.includes("//") || path.endsWith("/");
  const nfc = path.includes("%") && HIGH_ESCAPE.test(path) ? nfcPath(path) : path;
  if (!doubled && nfc === path) return NO_FORMS;
  const out: PathForm[] = [];
  const add = (form: string, slashes: boolean, inNfc: boolean) => {
    if (form !== path && !out.some((f) => f.path === form)) out.push({ path: form, slashes, nfc: inNfc });
  };
  if (nfc !== path) add(nfc, false, true);
  if (doubled) {
    add(slashesMerged(path), true, false);
    if (nfc !== path) add(slashesMerged(nfc), true, true);
  }
  return out;
}

/**
 * A page in canonical form as a listed page may be written: as it is, without its query, and its path's other forms
 * (otherForms) with and without it, as matchUrlAnyTime looks pages up.
 */
function pageForms(page: string): string[] {
  const q = page.indexOf("?");
  const out: string[] = [];
  for (const path of [q < 0 ? page : page.slice(0, q), ...otherForms(page, q).map((f) => f.path)]) {
    if (q >= 0) out.push(path + page.slice(q));
    out.push(path);
  }
  return out;
}

/** A listed name as a typosquat reads it (IndicatorIndex.typed); `dropped` when read with a letter dropped. */
interface TypedName {
  /** the name left of the suffix, read typed */
  reading: string;
  key: string;
  /** the key's host: the domain, or the listed page's host */
  host: string;
  kind: "domain" | "url";
  dropped: boolean;
}

/**
 * A label read typed (typedName, or as `read` reads it) with each of its letters dropped in turn (a double the drop
 * leaves read once): a listed name as a host that dropped a letter reads, and a host's label as the name it was typed
 * from by adding one reads. A digit is never dropped: a number is no typo of another (flagged-gallery-10 and
 * flagged-gallery-0 are two names of a series).
 */
function droppedReadings(label: string, read: (name: string) => string = typedName): string[] {
  const out: string[] = [];
  for (let i = 0; i < label.length; i++) {
    if (!LETTER.test(label[i]!)) continue;
    const r = read(label.slice(0, i) + label.slice(i + 1));
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

// the letters around each key of a QWERTY keyboard, as bit masks by letter: the row's neighbours, and the two keys
// above and the two below (each row is set off half a key from the next)
const KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
const NEIGHBOURS = new Uint32Array(26);
KEY_ROWS.forEach((row, r) => {
  const near = (c: string, other: string | undefined) => {
    if (other) NEIGHBOURS[c.charCodeAt(0) - 97]! |= 1 << (other.charCodeAt(0) - 97);
  };
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    near(c, row[i - 1]);
    near(c, row[i + 1]);
    if (r > 0) {
      near(c, KEY_ROWS[r - 1]![i]);
      near(c, KEY_ROWS[r - 1]![i + 1]);
    }
    if (r < 2) {
      near(c, KEY_ROWS[r + 1]![i - 1]);
      near(c, KEY_ROWS[r + 1]![i]);
    }
  }
});
const neighbours = (a: number, b: number): boolean => a >= 97 && a <= 122 && b >= 97 && b <= 122 && (NEIGHBOURS[a - 97]! & (1 << (b - 97))) !== 0;

/** Whether two readings of one length are one typo apart: two adjacent letters swapped, or one on a neighbouring key. */
function oneKeyOff(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === a.length) return false;
  const swapped = a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i);
  if (!swapped && !neighbours(a.charCodeAt(i), b.charCodeAt(i))) return false;
  for (let j = i + (swapped ? 2 : 1); j < a.length; j++) if (a.charCodeAt(j) !== b.charCodeAt(j)) return false;
  return true;
}

/**
 * The keys a reading is filed under for oneKeyOff, its length in both: a hash of its letters before the middle one, and
 * one of those after it. A swap or a letter replaced changes the middle letter and one side at most, so a reading one
 * typo from a filed one shares a key with it; a hash, where a slice would be a string made for each label of each host.
 */
function halfKey(reading: string, first: boolean): number {
  const h = reading.length >> 1;
  let k = (first ? 0x811c9dc5 : 0x01000193) ^ reading.length;
  for (let i = first ? 0 : h + 1, end = first ? h : reading.length; i < end; i++) k = Math.imul(k ^ reading.charCodeAt(i), 0x01000193);
  return k >>> 0;
}

const NO_LABELS: readonly string[] = Object.freeze([]);
const asWritten = (name: string): string => name;
/** Into `out` (made when first needed): those of `labels` a reading is one typo from, each once. */
function nearAmong(reading: string, labels: readonly string[] | undefined, out: string[] | undefined): string[] | undefined {
  if (labels) for (const l of labels) if (l.length === reading.length && oneKeyOff(reading, l) && !out?.includes(l)) (out ??= []).push(l);
  return out;
}

/**
 * A name left of its suffix as a typosquat reads it: the labels under the registrable one, read typed with their dots
 * (typedName reads no run across a dot, so a name reads as these two parts joined), and the registrable label as
 * written (`raw`) and read typed.
 */
function typedParts(name: string): { under: string; raw: string; label: string } {
  const dot = name.lastIndexOf(".");
  const raw = name.slice(dot + 1);
  return { under: typedName(name.slice(0, dot + 1)), raw, label: typedName(raw) };
}

export class IndicatorIndex {
  private readonly byKind = new Map<IndicatorKind, Map<string, IndicatorRef[]>>();
  private longestKeyword = 0;
  /** hosts of the exact-URL indicators: a URL on another host cannot match one, so it is not canonicalised */
  private readonly urlHosts = new Set<string>();
  /**
   * domain and url keys listed in xn-- form, by their skeleton (hostSkeleton) where it differs: the keys an ASCII host
   * may look like. An ASCII key is its own skeleton and is looked up in the kind's table as it is.
   */
  private readonly skeletons = { domain: new Map<string, string[]>(), url: new Map<string, string[]>() };
  /**
   * plain domain keys, and url keys' hosts, as an ASCII typosquat of them reads (typedName of the name left of the
   * suffix; and, for a registrable label of TYPED_DROP letters or more, that reading with one letter dropped, as a host
   * that dropped it reads), filed by the reading of the registrable label alone: the suffix is not read, as a site
   * hopping from one TLD to the next keeps its name. A host is read at its registrable label first, one short label and
   * one lookup, and as a whole only when that is filed
   */
  private readonly typed = new Map<string, TypedName[]>();
  /**
   * the registrable labels of `typed`'s readings: a host none of whose labels reads as one (nearly every host) is
   * passed over without its public suffix looked up, a small set asked instead of the domain memo's large map
   */
  private readonly typedLabels = new Set<string>();
  /**
   * the lengths of `typed`'s registrable labels of TYPED_DROP letters or more, read as listed (none dropped): a label
   * one letter longer is read with each of its letters dropped, as a host that added one (see droppedReadings)
   */
  private readonly addedLengths = new Set<number>();
  /**
   * `typed`'s registrable labels of TYPED_NEAR letters or more, read as listed, by halfKey: a host's label one typo from
   * one (oneKeyOff) is read as it
   */
  private readonly near = new Map<number, string[]>();
  /**
   * domain-sha256 entries of the names a registrable domain may have been typed from (hashedReadings), by that domain: a
   * hash for each name, which the domain's other hosts and addresses need not make again
   */
  private readonly hashedTyped = new Memo<readonly LookAlike[]>(MEMO_CAP, (domain) => {
    const out: LookAlike[] = [];
    for (const listed of this.hashedReadings(domain)) for (const ref of this.lookup("domain-sha256", sha256Tagged(listed), null)) out.push({ ref, listed, typed: true });
    return out.length ? out : NO_LOOK_ALIKES;
  });
  /** how many plain domain keys and url keys' hosts are listed under each public suffix, for hashedSuffixes */
  private readonly suffixes = new Map<string, number>();
  /** the HASHED_SUFFIXES suffixes `suffixes` counts most, most first; made again once an entry is put */
  private mostListed: readonly string[] | undefined;
  /**
   * URL matches at any time, remembered: the same search-engine or checkout URL arrives with many sales. One lookup per
   * question: flagged-site-link and the evidence ask matchesAt for all they need of a URL.
   */
  private readonly urls = new Memo<UrlMatches>(MEMO_CAP, (raw) => this.matchUrlAnyTime(raw), "indicator-url");
  readonly sets: { id: string; source: string; version: number; entries: number; signedBy?: string }[] = [];
  private fp: number | undefined;
  private content = 0;
  /** the times entries begin to hold (their validFrom), ascending */
  private starts: number[] = [];
  /** in an index made by citedOnly, its entries by citation (one entry each: entry ids are unique in a set) */
  private byCitation?: Map<string, Cited>;

  add(set: IndicatorSet): void {
    this.urls.clear();
    this.hashedTyped.clear();
    this.fp = undefined;
    for (const e of set.entries) {
      // a sum, so the fingerprint does not depend on the order the sets came in
      this.content = (this.content + hash32(`${set.id}\0${e.id}\0${e.kind}\0${e.value}\0${e.confidence}\0${e.validFrom}\0${e.validUntil}\0${e.tlp}\0${e.revoked}`)) >>> 0;
      if (e.revoked) continue;
      const key = indicatorKey(e.kind, e.value);
      // a parsed set has none such; a set built in code might
      if (key === null) continue;
      const ref: IndicatorRef = {
        set: set.id,
        id: e.id,
        source: set.publisher.id,
        confidence: e.confidence,
        kind: e.kind,
        validFrom: e.validFrom ? Date.parse(e.validFrom) : 0,
        validUntil: e.validUntil ? Date.parse(e.validUntil) : Number.MAX_SAFE_INTEGER,
        ...(e.tlp && { tlp: e.tlp }),
      };
      this.put(e.kind, key, ref);
      if (ref.validFrom > 0) this.starts.push(ref.validFrom);
    }
    this.starts.sort((a, b) => a - b);
    this.sets.push({ id: set.id, source: set.publisher.id, version: set.version, entries: set.entries.length, ...(set.signature && { signedBy: set.signature.keyId }) });
  }

  /** Whether an entry begins to hold after `after` and at or before `upTo` (epoch ms). */
  beginsWithin(after: number, upTo: number): boolean {
    const s = this.starts;
    if (s.length === 0 || upTo <= after) return false;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo < s.length && s[lo]! <= upTo;
  }

  private put(kind: IndicatorKind, key: string, ref: IndicatorRef): void {
    let table = this.byKind.get(kind);
    if (!table) this.byKind.set(kind, (table = new Map()));
    const list = table.get(key);
    if (list) list.push(ref);
    else table.set(key, [ref]);
    // the canonical URL's host: up to its port, path or query; an IPv6 host whole, brackets and colons in it
    if (kind === "url") this.urlHosts.add(URL_HOST.exec(key)![0]);
    if ((kind === "url" || kind === "domain") && key.includes("xn--")) this.putSkeleton(kind, key);
    if (kind === "domain" || kind === "url") this.putTyped(kind, key);
    if (kind === "keyword") this.longestKeyword = Math.max(this.longestKeyword, key.length);
  }

  /** Files a domain or url key with an xn-- host under its skeleton (see `skeletons`). */
  private putSkeleton(kind: "domain" | "url", key: string): void {
    const host = kind === "url" ? URL_HOST.exec(key)![0] : key;
    const skeleton = hostSkeleton(host) + key.slice(host.length);
    if (skeleton === key) return;
    const keys = this.skeletons[kind].get(skeleton);
    if (!keys) this.skeletons[kind].set(skeleton, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }

  /**
   * Files a domain key, or a url key's host, under how it reads typed, and with one letter of its registrable label
   * dropped (see `typed`).
   */
  private putTyped(kind: "domain" | "url", key: string): void {
    const host = kind === "url" ? URL_HOST.exec(key)![0] : key;
    const parts = nameAndSuffix(host);
    if (!parts) return;
    this.suffixes.set(parts[1], (this.suffixes.get(parts[1]) ?? 0) + 1);
    this.mostListed = undefined;
    const { under, raw, label } = typedParts(parts[0]);
    const length = label.length;
    if (length < TYPED_MIN) return;
    const file = (reading: string, dropped: boolean) => {
      const label = reading.slice(reading.lastIndexOf(".") + 1);
      const filed = this.typed.get(label);
      this.typedLabels.add(label);
      if (!filed) this.typed.set(label, [{ reading, key, host, kind, dropped }]);
      else if (!filed.some((f) => f.reading === reading && f.key === key)) filed.push({ reading, key, host, kind, dropped });
    };
    file(under + label, false);
    if (length >= TYPED_NEAR)
      for (const first of [true, false]) {
        const k = halfKey(label, first);
        const labels = this.near.get(k);
        if (!labels) this.near.set(k, [label]);
        else if (!labels.includes(label)) labels.push(label);
      }
    if (length < TYPED_DROP) return;
    this.addedLengths.add(length);
    for (const r of droppedReadings(raw)) file(under + r, true);
  }

  /**
   * The names a registrable domain may have been typed from, each a hash to compare with the domain-sha256 entries: by
   * one kind of typo undone (typedOrigins, up to 6 and one per double); for a label of TYPED_MIN letters or more (as
   * read typed), under the other suffixes of hashedSuffixes (up to HASHED_SUFFIXES: the name's own suffix is hashed
   * with it, so none can be read under any suffix, as a plain name is); and for one of more than TYPED_DROP, with a
   * letter dropped (one a letter), as a host that added one to a listed name reads. One kind of typo at a time, as
   * the hashes multiply: about 20 for a label of 12 letters, made once per registrable domain.
   */
  private hashedReadings(domain: string): string[] {
    const out = typedOrigins(domain);
    const parts = nameAndSuffix(domain);
    if (!parts) return out;
    const [label, suffix] = parts;
    const length = typedName(label).length;
    const add = (name: string) => {
      if (!out.includes(name)) out.push(name);
    };
    if (length >= TYPED_MIN) for (const other of this.hashedSuffixes()) if (other !== suffix) add(`${label}.${other}`);
    if (length > TYPED_DROP) for (const r of droppedReadings(label, asWritten)) add(`${r}.${suffix}`);
    return out;
  }

  /** The suffixes plain names are listed under most (`suffixes`), up to HASHED_SUFFIXES. */
  private hashedSuffixes(): readonly string[] {
    return (this.mostListed ??= [...this.suffixes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, HASHED_SUFFIXES).map(([s]) => s));
  }

  /** Whether a label read typed may be a listed one's with a letter added: one longer, or two where it split a double. */
  private added(reading: string): boolean {
    return this.addedLengths.has(reading.length - 1) || this.addedLengths.has(reading.length - 2);
  }

  /**
   * Whether a label of a host (the last aside: a suffix) reads as a registrable label of `typed`, or would with a letter
   * dropped, or is one typo from one (oneTypoFrom).
   */
  private labelTyped(host: string): boolean {
    for (let from = 0, dot = host.indexOf("."); dot > 0; from = dot + 1, dot = host.indexOf(".", from)) {
      const label = host.slice(from, dot);
      const reading = typedName(label);
      if (this.typedLabels.has(reading) || this.oneTypoFrom(reading).length > 0 || (this.added(reading) && droppedReadings(label).some((r) => this.typedLabels.has(r)))) return true;
    }
    return false;
  }

  /** The listed registrable labels (`near`) a host's label, as read typed, is one typo from (oneKeyOff); nearly always none. */
  private oneTypoFrom(reading: string): readonly string[] {
    if (reading.length < TYPED_NEAR || this.near.size === 0) return NO_LABELS;
    return nearAmong(reading, this.near.get(halfKey(reading, false)), nearAmong(reading, this.near.get(halfKey(reading, true)), undefined)) ?? NO_LABELS;
  }

  /**
   * Which sets are in force, at which versions and with which entries: kept in each merchant's state, so a merchant
   * checked under other sets (a set replaced while the service ran, or while it was down) is checked again at its
   * next event.
   */
  get fingerprint(): number {
    return (this.fp ??= (hash32(this.sets.map((s) => `${s.source}/${s.id}@${s.version}`).sort().join("\n")) ^ this.content) >>> 0);
  }

  get size(): number {
    let n = 0;
    for (const t of this.byKind.values()) n += t.size;
    return n;
  }

  has(kind: IndicatorKind): boolean {
    return (this.byKind.get(kind)?.size ?? 0) > 0;
  }

  /** Entries of one kind whose key equals `key` (already in canonical form) and are valid at `at` (null: at any time). */
  lookup(kind: IndicatorKind, key: string, at: number | null): readonly IndicatorRef[] {
    const list = this.byKind.get(kind)?.get(key);
    if (!list) return NONE;
    return at === null ? list : validAt(list, at, asRef);
  }

  /**
   * URL indicators that a URL matches at `at`: its canonical form, or the page without its query (plain or hashed), a
   * listed domain or parent domain, or its host's listed IP address.
   */
  matchUrl(raw: string, at: number): readonly IndicatorRef[] {
    // entries of any validity are remembered, and filtered by time here (events may come out of order); as matchesAt's
    // listed, without making the rest of its answer (bench:indicators times this)
    return validAt(this.urls.get(raw).refs, at, asRef);
  }

  /**
   * Entries whose listed domain or page (url entries) the URL's host is drawn like but is not, at `at`: a host in xn--
   * form read as the Latin letters it shows (hostSkeleton), and an ASCII host against names listed in xn-- form; and
   * those an ASCII host is only typed like (typedLookAlikes).
   */
  matchLookAlikes(raw: string, at: number): readonly LookAlike[] {
    return this.matchesAt(raw, at).lookAlikes;
  }

  /** Of matchUrl's entries, the url and url-sha256 ones listing a page without a query that the URL has (which an alert says). */
  matchedWithoutQuery(raw: string, at: number): readonly IndicatorRef[] {
    return this.matchesAt(raw, at).withoutQuery;
  }

  /** matchUrl, matchedWithoutQuery and matchLookAlikes in one lookup; NO_URL_MATCHES when the URL matches nothing at any time. */
  matchesAt(raw: string, at: number): UrlMatchesAt {
    const m = this.urls.get(raw);
    if (m === NO_MATCHES) return NO_URL_MATCHES;
    return {
      listed: validAt(m.refs, at, asRef),
      withoutQuery: m.withoutQuery ? validAt(m.refs.slice(-m.withoutQuery), at, asRef) : NONE,
      matchedAs: validAt(m.matchedAs, at, matchedAsRef),
      lookAlikes: validAt(m.lookAlikes, at, lookAlikeRef),
    };
  }

  private matchUrlAnyTime(raw: string): UrlMatches {
    const out: IndicatorRef[] = [];
    const url = parseHttpUrl(raw);
    if (!url) return NO_MATCHES;
    const host = canonicalHost(url.hostname);
    const plain = this.has("domain");
    const hashedDomains = this.has("domain-sha256");
    if (plain || hashedDomains) {
      for (const d of domainSuffixes(host)) {
        if (plain) out.push(...this.lookup("domain", d, null));
        if (hashedDomains) out.push(...this.lookup("domain-sha256", sha256Tagged(d), null));
      }
    }
    // a site on a listed address: a domain entry cannot hold an address, so a site known by its address is listed as kind ip
    if (this.has("ip")) {
      const address = hostAddress(host);
      if (address) out.push(...this.lookup("ip", address, null));
    }
    const exact = this.urlHosts.has(host);
    const hashed = this.has("url-sha256");
    let withoutQuery = 0;
    let matchedAs: MatchedAs[] | undefined;
    if (exact || hashed) {
      const canonical = canonicalOf(url);
      this.lookPage(canonical, exact, hashed, out);
      // the path has no "?" of its own: the parser escapes one
      const q = canonical.indexOf("?");
      const forms = otherForms(canonical, q);
      if (forms.length) matchedAs = this.lookForms(forms, q < 0 ? "" : canonical.slice(q), exact, hashed, out, []);
      // a page listed without a query is listed with any query a link adds to it (README "URL canonical form"); an
      // entry with a query matched above, or not at all
      if (q >= 0) {
        const before = out.length;
        this.lookPage(canonical.slice(0, q), exact, hashed, out);
        if (matchedAs) this.lookForms(forms, "", exact, hashed, out, matchedAs);
        withoutQuery = out.length - before;
      }
    }
    const lookAlikes = this.lookAlikesOf(url, host, out);
    return out.length || lookAlikes.length ? { refs: out, withoutQuery, matchedAs: matchedAs?.length ? matchedAs : NO_MATCHED_AS, lookAlikes } : NO_MATCHES;
  }

  /** For matchUrlAnyTime: the url entries (`exact`) and url-sha256 entries (`hashed`) listing a page in canonical form, into `out`. */
  private lookPage(page: string, exact: boolean, hashed: boolean, out: IndicatorRef[]): void {
    if (exact) out.push(...this.lookup("url", page, null));
    if (hashed) out.push(...this.lookup("url-sha256", sha256Tagged(page), null));
  }

  /** lookPage for the other forms of a URL's path (otherForms) with `query`, each match also into `as`, which it gives back. */
  private lookForms(forms: readonly PathForm[], query: string, exact: boolean, hashed: boolean, out: IndicatorRef[], as: MatchedAs[]): MatchedAs[] {
    for (const { path, slashes, nfc } of forms) {
      const form = path + query;
      const before = out.length;
      this.lookPage(form, exact, hashed, out);
      for (let i = before; i < out.length; i++) as.push({ ref: out[i]!, form, slashes, nfc });
    }
    return as;
  }

  /**
   * For matchUrlAnyTime: the domain and url entries the host is drawn like, less those it matched (`exact`); then the
   * domain, url and domain-sha256 entries it is an ASCII typosquat of (typedLookAlikes), unless a domain entry lists it.
   */
  private lookAlikesOf(url: URL, host: string, exact: readonly IndicatorRef[]): readonly LookAlike[] {
    const skeleton = hostSkeleton(host);
    // an ASCII host (the hot path) can only look like a name listed in xn-- form, or be typed like a listed name
    const ascii = skeleton === host;
    const typed = ascii && (this.typed.size > 0 || this.has("domain-sha256"));
    if (ascii && !typed && this.skeletons.domain.size === 0 && this.skeletons.url.size === 0) return NO_LOOK_ALIKES;
    const look = (kind: "domain" | "url") => this.has(kind) && (!ascii || this.skeletons[kind].size > 0);
    const out: LookAlike[] = [];
    const add = (kind: "domain" | "url", key: string) => {
      const keys = this.skeletons[kind].get(key) ?? [];
      for (const listed of ascii ? keys : [key, ...keys])
        for (const ref of this.lookup(kind, listed, null))
          if (!exact.includes(ref)) out.push({ ref, listed: kind === "url" ? URL_HOST.exec(listed)![0] : listed });
    };
    if (look("domain")) for (const d of domainSuffixes(skeleton)) add("domain", d);
    if (look("url")) for (const page of pageForms(skeleton + canonicalOf(url).slice(host.length))) add("url", page);
    // a listed site is no typosquat of another listed name
    if (typed && !exact.some((r) => r.kind === "domain" || r.kind === "domain-sha256")) this.typedLookAlikes(url, host, exact, out);
    return out.length ? out : NO_LOOK_ALIKES;
  }

  /**
   * Into `out`: the domain entries an ASCII host reads as typed (`typed`: under any suffix, or with a letter added to a
   * name of TYPED_DROP letters or more, or one typo from one of TYPED_NEAR or more: oneTypoFrom), the url entries listing
   * the URL's page on a host it reads as typed, and the domain-sha256 entries of a name it may have been typed from
   * (hashedReadings; a hash hides the name, so only names made from the host can be compared). Once per distinct URL (the URL memo); the hashes by registrable domain
   * (hashedTyped), but the plain reading not: a memo by host cost more than the reading it saves (about 0.9 µs a URL
   * against 0.4 µs a host on the benchmark's stream).
   */
  private typedLookAlikes(url: URL, host: string, exact: readonly IndicatorRef[], out: LookAlike[]): void {
    const add = (ref: IndicatorRef, listed: string) => {
      if (!exact.includes(ref) && !out.some((m) => m.ref === ref)) out.push({ ref, listed, typed: true });
    };
    const parts = this.typed.size > 0 && this.labelTyped(host) ? nameAndSuffix(host) : null;
    if (parts) {
      const { under, raw, label } = typedParts(parts[0]);
      const pages = new Set<string>();
      // `listed`: the host's label read as a listed one's reading with a letter added, or one typo from it; not one
      // with a letter dropped (a letter replaced, or two typos)
      const look = (reading: string, listed: boolean) => {
        for (const f of this.typed.get(reading) ?? []) {
          if (listed && f.dropped) continue;
          // the host's reading is the listed one's, or under it
          const whole = under + reading;
          if (whole !== f.reading && !whole.endsWith(`.${f.reading}`)) continue;
          if (f.kind === "domain") for (const ref of this.lookup("domain", f.key, null)) add(ref, f.host);
          // a listed page on a host typed like the URL's: the URL's page on that host, once a host
          else if (f.host !== host && !pages.has(f.host)) {
            pages.add(f.host);
            for (const page of pageForms(f.host + canonicalOf(url).slice(host.length))) for (const ref of this.lookup("url", page, null)) add(ref, f.host);
          }
        }
      };
      look(label, false);
      if (this.added(label)) for (const r of droppedReadings(raw)) look(r, true);
      for (const r of this.oneTypoFrom(label)) look(r, true);
    }
    if (this.has("domain-sha256")) for (const m of this.hashedTyped.get(registrableDomain(host))) add(m.ref, m.listed);
  }

  /**
   * The entries in force (not revoked) among those cited (keys made by `citation`), by citation. A scan of every entry:
   * for the few that flagged merchants cite, when the sets change, not per event (a map of every entry would double
   * the index's memory).
   */
  find(cited: ReadonlySet<string>): Map<string, IndicatorRef> {
    const out = new Map<string, IndicatorRef>();
    if (cited.size === 0) return out;
    for (const table of this.byKind.values())
      for (const refs of table.values())
        for (const r of refs) {
          const key = citation(r.source, r.set, r.id);
          if (cited.has(key)) out.set(key, r);
        }
    return out;
  }

  /**
   * An index of the entries in force among those cited (keys made by `citation`) and of no other: what a signal's rule
   * matches again when entries it cites are revoked, without taking up new ones (those wait for the merchant's event).
   */
  citedOnly(cited: ReadonlySet<string>): IndicatorIndex {
    const out = new IndicatorIndex();
    out.byCitation = new Map();
    if (cited.size === 0) return out;
    const keep = (c: string, e: Cited) => {
      out.put(e.kind, e.key, e.ref);
      out.byCitation!.set(c, e);
    };
    // an index made here is small and looked in once per signal: by citation, not by a scan
    if (this.byCitation)
      for (const c of cited) {
        const e = this.byCitation.get(c);
        if (e) keep(c, e);
      }
    else
      for (const [kind, table] of this.byKind)
        for (const [key, refs] of table)
          for (const ref of refs) {
            const c = citation(ref.source, ref.set, ref.id);
            if (cited.has(c)) keep(c, { kind, key, ref });
          }
    return out;
  }

  /** Keyword indicators found in a descriptor on word boundaries (see containsKeyword). */
  matchKeywords(descriptor: string, at: number): IndicatorRef[] {
    const out: IndicatorRef[] = [];
    if (!this.has("keyword")) return out;
    for (const run of keywordRuns(keywordForm(descriptor), this.longestKeyword)) out.push(...this.lookup("keyword", run, at));
    return out;
  }
}

/** One indicator set file (format v1 or the earlier one), validated; with a trust store, also verified. */
export function readIndicatorSet(file: string, trust?: TrustStore): IndicatorSet {
  const bytes = statSync(file).size;
  if (bytes > INDICATOR_SET_MAX_BYTES)
    throw new ConfigError(
      file,
      [{ path: "", message: `${bytes} bytes, more than an indicator set may have (${INDICATOR_SET_MAX_BYTES}): not read` }],
      "Split the set into sets of their own (each with its own id), or ask its publisher to; nothing was loaded.",
    );
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(readFileSync(file, "utf8")));
  } catch (err) {
    // a member's list as a spreadsheet exports it; the parser's message would quote its first line
    if (/\.csv$/i.test(file)) throw notASet(file, "not JSON: a CSV file", "--from csv --set-id ID --publisher MEMBER_ID --out SET.json");
    throw new ConfigError(file, [{ path: "", message: notJson(err) }]);
  }
  const other = typeof json === "object" && json !== null ? json : {};
  if ("type" in other && other.type === "bundle")
    throw notASet(file, "a STIX 2.1 bundle", "--from stix --set-id ID --publisher MEMBER_ID --out SET.json (the same --set-id and --publisher for each import from this sender)");
  if ("Event" in other) throw notASet(file, "a MISP event", "--from misp --publisher MEMBER_ID --out SET.json");
  const parsed = parseAnyIndicatorSet(json);
  if (!parsed.success) {
    // the trust store where a set goes (two paths swapped): zod would list every key of a set as missing
    const store = TrustStore.safeParse(json);
    if (store.success)
      throw new ConfigError(
        file,
        [{ path: "", message: `this is a trust store (the publishers' public keys: ${store.data.keys.length} key${store.data.keys.length === 1 ? "" : "s"}), not an indicator set` }],
        "Give it as the trust store (--trust, MT_TRUST_STORE), and an indicator set's file or directory where the set goes; nothing was changed.",
      );
    throw new ConfigError(file, zodIssues(parsed.error, json));
  }
  if (trust) {
    const v = verifySet(parsed.data, trust);
    if (!v.ok) throw new ConfigError(file, [{ path: "signature", message: v.reason }]);
  }
  return parsed.data;
}

/** Why a file is not JSON, as JSON.parse says, without the text it quotes (a set's text may be a page's address). */
export const notJson = (err: unknown): string => `not valid JSON: ${withoutJsonQuote((err as Error).message)}`;

/** A partner's file in another format, or a member's list, read where a set is: said, with the import that makes one. */
const notASet = (file: string, what: string, flags: string) =>
  new ConfigError(file, [{ path: "", message: `${what}, not a moneytrail indicator set` }], `Import it first: moneytrail indicators import ${file} ${flags}; nothing was changed.`);

/**
 * The *.json files of a directory, or the one file. A name starting with a dot is no set: an editor's lock file
 * (.#set.json, a link to nothing) or macOS's AppleDouble file (._set.json) beside a set would refuse the directory.
 */
export function setFiles(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => /^[^.].*\.json$/.test(f))
        .sort()
        .map((f) => join(path, f))
    : [path];
}

/** An index over sets already read. */
export function indexSets(sets: Iterable<IndicatorSet>): IndicatorIndex {
  const index = new IndicatorIndex();
  for (const s of sets) index.add(s);
  return index;
}

/**
 * Reads every indicator set in a directory (or one file). A bad file refuses the whole load. With a trust store,
 * every set must carry a valid signature of a trusted key of its publisher.
 */
export function loadIndicators(path: string, trust?: TrustStore): IndicatorIndex {
  return indexSets(readIndicatorSets(path, trust));
}

/**
 * Sets in force are told apart by id (a newer version replaces the one under its id, and a set id belongs to one
 * publisher), so one id in two files is refused: both versions of a set would match, an entry revoked in the newer
 * still matching from the older, until the first set from the topic left only one of them in force.
 */
export function readIndicatorSets(path: string, trust?: TrustStore): IndicatorSet[] {
  const files = new Map<string, { file: string; set: IndicatorSet }>();
  for (const file of setFiles(path)) {
    const set = readIndicatorSet(file, trust);
    const other = files.get(set.id);
    if (other)
      throw new ConfigError(file, [{ path: "id", message: alsoInDirectory(set, other) }], "Leave one of the two files in the directory and run the command again; nothing was loaded.");
    files.set(set.id, { file, set });
  }
  return [...files.values()].map((f) => f.set);
}

/** Why a set cannot be loaded beside another file's set under the same id (readIndicatorSets), and what to do. */
export function alsoInDirectory(set: IndicatorSet, other: { file: string; set: IndicatorSet }): string {
  const was = other.set;
  return was.publisher.id === set.publisher.id
    ? `set ${set.id} (version ${set.version}) is also in ${other.file} (version ${was.version}): give one version of a set, its latest; move the other file away`
    : `set id ${set.id} of ${set.publisher.id} is also the id of ${was.publisher.id}'s set in ${other.file}: a set id belongs to one publisher; move one file away, and ask its publisher for the set under an id of its own`;
}
