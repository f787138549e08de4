// Indicator sets: what coalition members share (flagged sites, keywords, identifiers). Format v1
// ("moneytrail-indicators/1") carries its publisher, a version, TLP and validity per entry, revocations, and an
// Ed25519 signature; the engine's earlier files (id, source, created, entries) are read as v1 sets.
import { isIP } from "node:net";
import { canonicalIp } from "../lib/ip.js";
import { z } from "zod";
import { getDomain } from "tldts";
import { canonicalHost, canonicalOf, parseHttpUrl } from "../lib/url.js";
import { compactKeyword } from "../lib/descriptor.js";

export const INDICATOR_KINDS = [
  "url", // a full URL, compared after canonicalisation (src/lib/url.ts)
  "domain", // a domain: the domain itself and all its subdomains
  "url-sha256", // sha256: of the canonical URL, for sets that must not carry plaintext
  "domain-sha256", // sha256: of a canonical domain; matches it and its subdomains, with no plaintext at hand
  "keyword", // a descriptor keyword, compared after normalisation (src/lib/descriptor.ts)
  "merchant-id",
  "email-sha256", // sha256: of the trimmed, lowercased address (as the contract's contactEmail)
  "account-sha256",
  "principal-sha256",
  "wallet",
  "ip",
  "analytics-id",
] as const;
export const IndicatorKind = z.enum(INDICATOR_KINDS);
export type IndicatorKind = z.infer<typeof IndicatorKind>;

/** A kind whose value is a SHA-256: it travels so that partners never read what it hides. */
export const isHashedKind = (kind: IndicatorKind): boolean => kind.endsWith("-sha256");

/**
 * Traffic Light Protocol 2.0: how far an entry may be shared, from the least restrictive level to the most. RED
 * entries never leave the member holding them.
 */
export const Tlp = z.enum(["clear", "green", "amber", "amber+strict", "red"]);
export type Tlp = z.infer<typeof Tlp>;

/** A level as written elsewhere (STIX, an alert): one this version does not know reads as RED. */
export const tlpOrRed = (level: string): Tlp => Tlp.safeParse(level).data ?? "red";

/** A level at which an entry never leaves the member holding it: RED, or one this version does not know. */
export const isRedTlp = (level: string | undefined): boolean => level !== undefined && tlpOrRed(level) === "red";

/** The most restrictive of the levels given; undefined when none is. */
export function strictestTlp(levels: Iterable<Tlp | undefined>): Tlp | undefined {
  let out: Tlp | undefined;
  for (const l of levels) if (l && (!out || Tlp.options.indexOf(l) > Tlp.options.indexOf(out))) out = l;
  return out;
}

/**
 * A time in a set or a trust store, written by hand as often as by tools: a malformed one says what one looks like
 * (zod's "Invalid ISO datetime" did not); one left out is still called missing.
 */
const RFC3339 = "expected an RFC 3339 time with seconds and Z (or an offset), e.g. 2026-11-01T00:00:00Z";
export const time = z.iso.datetime({
  offset: true,
  error: (issue) =>
    issue.code === "invalid_format"
      ? RFC3339
      : // epoch seconds or milliseconds, as other tools write them
        issue.code === "invalid_type" && typeof issue.input === "number"
        ? `${RFC3339}, not a number`
        : undefined,
});

const SHA256 = /^sha256:[0-9a-f]{64}$/i;
const trimmed = (v: string): string | null => v.trim() || null;
const hashed = (v: string): string | null => {
  const h = v.trim().toLowerCase();
  return SHA256.test(h) ? h : null;
};
/**
 * A name a site may have: labels of letters, digits, - and _. The URL parser also takes *, ! and empty labels, which no
 * site's host holds, so an entry with them would match nothing.
 */
const DNS_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;
/** a URL's host is compared in its ASCII (punycode) form, so a name is listed in that form, without a port */
const hostName = (v: string): string | null => {
  const host = canonicalHost(v.trim());
  return parseHttpUrl(`http://${host}/`)?.hostname === host && DNS_NAME.test(host) && !/^[\d.]+$/.test(host) ? host : null;
};
/** a URL's canonical form, when its host is a name a site may have or an IP address */
const urlKey = (v: string): string | null => {
  const url = parseHttpUrl(v);
  if (!url) return null;
  const host = canonicalHost(url.hostname);
  return DNS_NAME.test(host) || isIP(host.replace(/^\[(.*)\]$/, "$1")) ? canonicalOf(url) : null;
};
const WILDCARD =
  "a wildcard, which no site's name holds, so it would match nothing: list the domain under the * as kind domain, which matches it and every name under it";
/** a domain entry matches every name under it: a public suffix (com, co.uk, github.io) would match whole registries */
const domainName = (v: string): string | null => {
  const host = hostName(v);
  return host && getDomain(host, { allowPrivateDomains: true, validateHostname: false }) ? host : null;
};

/**
 * Why a value is no hash, and how to make the right one (`how`: of what): the value itself is never repeated, as it
 * may be the plaintext the hash was to hide.
 */
const noHash =
  (how: string) =>
  (v: string): string => {
    const give = `give sha256: and the hex SHA-256 ${how}`;
    const t = v.trim();
    if (/^[0-9a-f]{64}$/i.test(t)) return "64 hex digits without the sha256: prefix: write sha256: before them";
    const tagged = /^sha256:(.*)$/i.exec(t);
    if (tagged)
      return /^[0-9a-f]*$/i.test(tagged[1]!)
        ? `sha256: followed by ${tagged[1]!.length} hex digits, where a SHA-256 has 64 (cut short, or another hash: MD5 has 32, SHA-1 40): ${give}`
        : `sha256: followed by characters other than hex digits (0-9, a-f): ${give}`;
    const other = /^([a-z][a-z0-9-]*):[0-9a-f]+$/i.exec(t);
    if (other) return `an ${other[1]!.toLowerCase()} hash where a SHA-256 is required: ${give}`;
    return `plain text where a hash is required, so it could never match, and it travels in the clear: ${give}`;
  };

/** Per kind: the form a value is stored and looked up in (null when it can never match, or would match too much), and why. */
const FORMS: Record<IndicatorKind, { key: (value: string) => string | null; otherwise: string | ((value: string) => string) }> = {
  url: {
    key: urlKey,
    otherwise: (v) => {
      const host = parseHttpUrl(v)?.hostname;
      if (host === undefined) return "not an http(s) URL";
      return host.startsWith("*.") ? `a URL whose host is ${WILDCARD}` : "a URL whose host is no name a site may have (labels of letters, digits, - and _), so it would match nothing";
    },
  },
  domain: {
    key: domainName,
    otherwise: (v) =>
      hostName(v)
        ? "a public suffix or a single label (such as com, co.uk or github.io), which would match every site under it: list the site's own domain"
        : v.trim().startsWith("*.")
          ? WILDCARD
          : "not a domain name (an internationalised name goes in its xn-- form; an IP address is kind ip)",
  },
  "url-sha256": { key: hashed, otherwise: noHash("of the canonical URL (moneytrail indicators export --hash makes it from a url entry)") },
  "domain-sha256": { key: hashed, otherwise: noHash("of the canonical domain (moneytrail indicators export --hash makes it from a domain entry)") },
  "email-sha256": { key: hashed, otherwise: noHash("of the trimmed, lowercased address (as events' contactEmail)") },
  "account-sha256": { key: hashed, otherwise: noHash("that acquirers' events carry as payoutAccount (made upstream)") },
  "principal-sha256": { key: hashed, otherwise: noHash("that acquirers' events carry in principals (made upstream)") },
  keyword: { key: (v) => compactKeyword(v) || null, otherwise: "no letters or digits left after normalisation" },
  // in the spelling events' addresses are decoded in (src/lib/ip.ts)
  ip: { key: (v) => (isIP(v.trim()) ? canonicalIp(v) : null), otherwise: "not an IPv4 or IPv6 address (one address, not a range)" },
  "merchant-id": { key: trimmed, otherwise: "blank" },
  wallet: { key: trimmed, otherwise: "blank" },
  "analytics-id": { key: trimmed, otherwise: "blank" },
};

/** The form an indicator value is stored and looked up in, or null for a value that can never match. */
export function indicatorKey(kind: IndicatorKind, value: string): string | null {
  return FORMS[kind].key(value);
}

/**
 * An id of a set, an entry, a publisher or a key: shown in command output, logs and alerts, where a line break or a
 * right-to-left override would forge a line (`verify`'s "ok ...") or hide part of the text.
 */
const printableId = (max: number) =>
  z
    .string()
    .min(1, { error: "empty: give an id" })
    .max(max, { error: `at most ${max} characters` })
    .regex(/^[^\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]*$/u, {
      error: "a control or bidirectional formatting character, which would forge or hide text where the id is shown (command output, logs, alerts): use printable characters",
    });

const EntryFields = z.strictObject({
  id: printableId(128),
  kind: IndicatorKind,
  value: z.string().min(1).max(4096),
  confidence: z.number().int().min(0).max(100),
  tlp: Tlp.optional(),
  validFrom: time.optional(),
  validUntil: time.optional(),
  /** withdrawn by the publisher: never matches, kept so a newer version tells subscribers */
  revoked: z.boolean().optional(),
  description: z.string().max(512).optional(),
  /**
   * What partners reported of the entry (MISP sightings, STIX sightings) as read at its import: informs a reviewer and
   * the member; matching and confidence ignore it (the publisher's confidence stays the publisher's).
   */
  sightings: z
    .strictObject({
      /** seen (MISP type 0; a STIX sighting, confirmed or not marked), summed over the reports' counts */
      seen: z.number().int().min(0),
      /** reported as a false positive (MISP type 1; a STIX sighting x_moneytrail_disposition dismissed) */
      falsePositive: z.number().int().min(0),
      /** reported as expired at the time of the report (MISP type 2) */
      expired: z.number().int().min(0),
      /** distinct organisations named by the reports (anonymous reports name none) */
      organisations: z.number().int().min(0),
      /** the latest report's time */
      lastSeen: time,
    })
    .optional(),
});

/** Entry ids name entries in alerts, revocations and diffs, so two entries of a set may not share one. */
const uniqueIds = (entries: { id: string }[], ctx: z.RefinementCtx): void => {
  const first = new Map<string, number>();
  entries.forEach((e, i) => {
    const j = first.get(e.id);
    if (j === undefined) first.set(e.id, i);
    else ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id ${JSON.stringify(e.id)} (also entries[${j}]); give each entry its own` });
  });
};

/** A value that could never match, or a domain that would match a whole registry, is refused, not left in the index. */
const matchable = (e: { kind: IndicatorKind; value: string }, ctx: z.RefinementCtx): void => {
  const { otherwise } = FORMS[e.kind];
  if (indicatorKey(e.kind, e.value) === null)
    ctx.addIssue({ code: "custom", path: ["value"], message: `${typeof otherwise === "string" ? otherwise : otherwise(e.value)} (kind ${e.kind})` });
};

/** A window that closes before it opens would never match: a slip (the two dates swapped), refused rather than kept. */
export const opensBeforeCloses = (v: { validFrom?: string; validUntil?: string }, ctx: z.RefinementCtx, what: string): void => {
  if (v.validFrom && v.validUntil && Date.parse(v.validUntil) <= Date.parse(v.validFrom))
    ctx.addIssue({ code: "custom", path: ["validUntil"], message: `${v.validUntil} is not later than validFrom (${v.validFrom}): ${what}; are the two swapped?` });
};

export const IndicatorEntry = EntryFields.superRefine(matchable).superRefine((e, ctx) => opensBeforeCloses(e, ctx, "the entry would never match"));
export type IndicatorEntry = z.infer<typeof IndicatorEntry>;

export const Publisher = z.strictObject({
  /** stable identity, e.g. member:hotline-a */
  id: printableId(256),
  name: z.string().max(256).optional(),
});

export const Signature = z.strictObject({
  alg: z.literal("ed25519"),
  /** the publisher's key in the subscriber's trust store */
  keyId: printableId(128),
  /** base64 Ed25519 signature over the canonical JSON of the set without `signature` */
  value: z.string().min(1).max(256),
});

export const FORMAT = "moneytrail-indicators/1";

/**
 * The most bytes of JSON a set may have, as a file or a topic message (decompressed): ten times a 20k-URL set
 * (2.5 MB) and more. Beyond it a set is refused unread: gzip takes a repetitive one to a thousandth, so a message the
 * topic takes could be gigabytes to parse in every member's consumer process.
 */
export const INDICATOR_SET_MAX_BYTES = 64 * 1024 * 1024;

export const IndicatorSet = z.strictObject({
  format: z.literal(FORMAT),
  id: printableId(128),
  publisher: Publisher,
  /** grows with each release of the set; a subscriber keeps the highest */
  version: z.number().int().min(1),
  created: time,
  entries: z.array(IndicatorEntry).superRefine(uniqueIds),
  signature: Signature.optional(),
});
export type IndicatorSet = z.infer<typeof IndicatorSet>;

/** The engine's first indicator files, before format v1: read as a v1 set of version 1, unsigned. */
export const LegacyIndicatorSet = z.strictObject({
  id: printableId(128),
  source: printableId(256),
  created: time,
  entries: z.array(EntryFields.omit({ revoked: true, validFrom: true, description: true, sightings: true }).superRefine(matchable)).superRefine(uniqueIds),
});
export type LegacyIndicatorSet = z.infer<typeof LegacyIndicatorSet>;

/**
 * A v1 set, or a legacy file converted to one. The form is chosen by the `format` field, not tried in turn: a union
 * would answer a set with one bad entry with "(top level): Invalid input" instead of the entry and the reason. A file
 * that is neither (no `format`, no legacy `source`) is told what v1 needs, not what the earlier files had.
 */
export function parseAnyIndicatorSet(json: unknown): z.ZodSafeParseResult<IndicatorSet> {
  const legacy = typeof json === "object" && json !== null && !("format" in json) && "source" in json;
  return legacy ? LegacyAsV1.safeParse(json) : IndicatorSet.safeParse(json);
}

const LegacyAsV1 = LegacyIndicatorSet.transform(
  (l): IndicatorSet => ({ format: FORMAT, id: l.id, publisher: { id: l.source }, version: 1, created: l.created, entries: l.entries }),
);

/** The JSON Schema of format v1, for members who build sets with other tools. */
export function indicatorSetJsonSchema(): unknown {
  return z.toJSONSchema(IndicatorSet, { target: "draft-2020-12" });
}
