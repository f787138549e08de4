// URL canonicalisation, so that a URL indicator, a hashed URL indicator and a URL seen in traffic compare equal
// however they were written. The canonical form (documented in the README):
//   1. parsed as a WHATWG URL; a string without a scheme is read as http://…; only http and https are URLs here;
//   2. the scheme is dropped (http and https name the same site for our purpose);
//   3. host lowercased, IDN to punycode (the URL parser does both), a trailing dot and a leading "www." removed; an
//      IPv4-mapped IPv6 address ([::ffff:c000:207]) written as the IPv4 address it reaches (192.0.2.7);
//   4. the port kept only when it is not the scheme's default;
//   5. path kept with its case, "/" alone becomes empty, a trailing "/" is removed; percent-encoding made uniform
//      (RFC 3986 6.2.2: an encoded unreserved character, %7E or %61, decoded; other escapes in upper-case hex);
//      a Java session id (";jsessionid=…", any case, in any segment) removed, other ";name=value" parameters kept;
//      "//" and the path's case kept (servers differ on both);
//   6. fragment dropped; query kept with parameters sorted by name, utm_* tracking parameters removed;
//   => host[:port][/path][?query], e.g. "shop.example.test/c/1?a=1&b=2".
import { hash } from "node:crypto";
import { isIP } from "node:net";
import { domainToUnicode } from "node:url";
import { getDomain } from "tldts";
import { latinSkeleton } from "./confusables.js";
import { Last, Memo } from "./memo.js";
import { canonicalIp } from "./ip.js";

/** arguments remembered per generation by the URL and domain memos (see Memo) */
export const MEMO_CAP = 100_000;

// A scheme is a name and a colon, with or without "//" ("https://…", "mailto:…", "javascript:…"); "host:8080/…"
// is a host and a port, not a scheme.
const SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d+(?:[/?#]|$))/i;

/**
 * The http(s) URL a string is, or null. Callers read the URL it gives, never change it: the last one is given again for
 * the same string (the URL memos each parse an address none of them has seen, one after the other: a new merchant's
 * website, a referrer that comes once).
 */
export function parseHttpUrl(raw: string): URL | null {
  return parsed.get(raw);
}
const parsed = new Last(parse);

function parse(raw: string): URL | null {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(SCHEME.test(text) ? text : `http://${text}`);
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url : null;
}

export function canonicalHost(hostname: string): string {
  let host = hostname.toLowerCase();
  // a dual-stack client reaches the IPv4 host at its IPv4-mapped address: one site, written one way
  if (host.startsWith("[::ffff:")) {
    const mapped = canonicalIp(host.slice(1, -1));
    if (isIP(mapped) === 4) return mapped;
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host.startsWith("www.") ? host.slice(4) : host;
}

/**
 * The Latin letters a canonical host is drawn like (latinSkeleton of its Unicode form): ѕhop-a.example with a Cyrillic
 * ѕ (xn--hop-a-g2e.example) reads shop-a.example. A host with no xn-- label is ASCII and left as it is, so the many
 * plain hosts cost nothing: UTS #39 also reads 1 as l and m as rn, look-alikes ASCII has always had, which a skeleton of
 * ASCII would turn into a signal on every such pair of names (see the README, "Look-alike hosts").
 */
export function hostSkeleton(host: string): string {
  return host.includes("xn--") ? latinSkeleton(domainToUnicode(host)) : host;
}

// ASCII typosquats: a name written so that it gets past an exact list while a reader takes it for the name. rn is
// drawn like m and vv like w, 1 and i like l (I, lowercased in a host), 0 like o; a hyphen added or dropped, a
// letter doubled or a double written once. Each is read as what it is taken for, on both sides, so that a host and a
// listed name typed from one another read alike in either direction.

/**
 * A canonical host's name left of its public suffix, and the suffix ("pay.shop.co.uk": "pay.shop", "co.uk"); null for
 * an address, a single label or a host in xn-- form (read by hostSkeleton instead).
 */
export function nameAndSuffix(host: string): [name: string, suffix: string] | null {
  // an address is bracketed or ends in a digit: the rest, nearly every host, is not parsed as one
  const last = host.charCodeAt(host.length - 1);
  if (host.includes("xn--") || ((host[0] === "[" || (last >= 48 && last <= 57)) && hostAddress(host) !== null)) return null;
  const domain = registrableDomain(host);
  const dot = domain.indexOf(".");
  if (dot < 0) return null;
  return [host.slice(0, host.length - domain.length + dot), domain.slice(dot + 1)];
}

/**
 * A name (nameAndSuffix) as a reader takes it: rn as m, vv as w, 0 as o, 1 and i as l, without hyphens, each run of
 * one letter written once. One pass, no pattern: every host with a plain domain entry listed is read so.
 */
export function typedName(name: string): string {
  // most names hold nothing a typosquat writes: given back as they are, nothing built
  let i = 0;
  for (let last = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // - 0 1 i, a double, rn, vv
    if (c === 45 || c === 48 || c === 49 || c === 105 || c === last || (c === 114 && name.charCodeAt(i + 1) === 110) || (c === 118 && name.charCodeAt(i + 1) === 118)) break;
    last = c;
  }
  if (i === name.length) return name;
  let out = "";
  let last = "";
  for (let i = 0; i < name.length; i++) {
    let c = name[i]!;
    if (c === "-") continue;
    if (c === "r" && name[i + 1] === "n") (c = "m"), i++;
    else if (c === "v" && name[i + 1] === "v") (c = "w"), i++;
    else if (c === "0") c = "o";
    else if (c === "1" || c === "i") c = "l";
    if (c !== last) out += c;
    last = c;
  }
  return out;
}

// what a typosquat writes for what (typedName's readings), for typedOrigins; i is read as l alone, not with the rest
// at once: an i of the name itself is far more common than one typed for l
const TYPED: readonly (readonly [typed: string, as: string])[] = [["rn", "m"], ["vv", "w"], ["0", "o"], ["1", "l"], ["-", ""], ["i", "l"]];
const ALL_BUT_I = TYPED.length - 1;

/**
 * The names a host may have been typed from by one kind of typosquat undone at its registrable label (each rn as m,
 * vv as w, 0 as o, 1 as l, hyphens dropped, all of those at once, each i as l; a run of one letter one shorter), each
 * with the suffix, the host's own label left out: what a hashed domain entry can be compared with, whose name is
 * known only by its hash. A letter dropped is not undone (every letter at every place: 26 hashes a character).
 */
export function typedOrigins(host: string): string[] {
  const parts = nameAndSuffix(host);
  if (!parts) return [];
  const [name, suffix] = parts;
  const label = name.slice(name.lastIndexOf(".") + 1);
  const out: string[] = [];
  const add = (l: string) => {
    if (l !== label && l.length > 0 && !out.includes(l)) out.push(l);
  };
  let all = label;
  let kinds = 0;
  for (let k = 0; k < TYPED.length; k++) {
    const [typed, as] = TYPED[k]!;
    if (!label.includes(typed)) continue;
    add(label.replaceAll(typed, as));
    if (k < ALL_BUT_I) (all = all.replaceAll(typed, as)), kinds++;
  }
  if (kinds > 1) add(all);
  for (let i = 1; i < label.length; i++) if (label[i] === label[i - 1] && label[i] !== label[i - 2]) add(label.slice(0, i) + label.slice(i + 1));
  return out.map((l) => `${l}.${suffix}`);
}

/** The address of a canonical host that is an IP address (IPv6 without its brackets), or null for a name. */
export function hostAddress(host: string): string | null {
  const address = host.startsWith("[") ? host.slice(1, -1) : host;
  return isIP(address) ? canonicalIp(address) : null;
}

export function canonicalUrl(raw: string): string | null {
  const url = parseHttpUrl(raw);
  return url ? canonicalOf(url) : null;
}

const ESCAPE = /%[0-9a-f]{2}/gi;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
// the URL parser leaves a path's escapes as written: /%7Eshop, /~shop and /%7eshop would be three pages, and a
// listed URL could be dodged by escaping one letter
const uniformEscape = (escape: string): string => {
  const char = String.fromCharCode(parseInt(escape.slice(1), 16));
  return UNRESERVED.test(char) ? char : escape.toUpperCase();
};

// a servlet container writes the session into each link when the browser takes no cookie (/album/17;jsessionid=…)
// and serves the page without it: one page, written anew for every visitor. Only this name: to other servers a ";"
// is part of a segment's name, and /page;v=2 may be another page
const JSESSIONID = /;jsessionid=[^/;]*/gi;

/** The canonical form of an already parsed http(s) URL. */
export function canonicalOf(url: URL): string {
  const defaultPort = url.protocol === "https:" ? "443" : "80";
  const port = url.port && url.port !== defaultPort ? `:${url.port}` : "";
  let path = url.pathname;
  if (path.includes("%")) path = path.replace(ESCAPE, uniformEscape);
  if (path.includes(";")) path = path.replace(JSESSIONID, "");
  if (path.endsWith("/")) path = path.slice(0, -1);
  let query = "";
  if (url.search) {
    const params = [...url.searchParams].filter(([k]) => !k.toLowerCase().startsWith("utm_"));
    params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (params.length) query = `?${new URLSearchParams(params).toString()}`;
  }
  return `${canonicalHost(url.hostname)}${port}${path}${query}`;
}

/** The host of a URL in canonical form, or null when it is not an http(s) URL. */
export function urlHost(raw: string): string | null {
  return hosts.get(raw);
}
const hosts = new Memo<string | null>(MEMO_CAP, (raw) => {
  const url = parseHttpUrl(raw);
  return url ? canonicalHost(url.hostname) : null;
}, "url-host");

/** Registrable domain (eTLD+1) of a host, falling back to the host itself (IPs, single labels). */
export function registrableDomain(host: string): string {
  return domains.get(host);
}
const domains = new Memo<string>(MEMO_CAP, (host) => getDomain(host, { allowPrivateDomains: true }) ?? host, "registrable-domain");

/** The host and each parent domain, most specific first: a.b.example.test, b.example.test, example.test, test. */
export function domainSuffixes(host: string): string[] {
  const out: string[] = [];
  let rest = host;
  for (;;) {
    out.push(rest);
    const dot = rest.indexOf(".");
    if (dot < 0) return out;
    rest = rest.slice(dot + 1);
  }
}

export function sha256Tagged(text: string): string {
  return `sha256:${hash("sha256", text, "hex")}`;
}

/** The address an operator points a browser, a scrape or a health check at (an IPv6 host in brackets). */
export const urlOf = (host: string, port: number): string => `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
