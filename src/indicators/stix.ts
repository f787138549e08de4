// STIX 2.1 exchange for indicator sets: export a set as a bundle (identity, TLP 2.0 markings, indicators), import
// indicators from other members' tools, and report a reviewer's decision back to the publisher as a sighting.
// The choices (which kinds map to which patterns, what is skipped, what a round trip loses) are in docs/stix-misp.md.
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import { FORMAT, IndicatorEntry, IndicatorKind, IndicatorSet, Tlp, isHashedKind, strictestTlp, tlpOrRed } from "./schema.js";
import { canonicalUrl } from "../lib/url.js";
import { RED_NOT_EXPORTED, emailSha256 } from "./privacy.js";
import { formatPath } from "../lib/errors.js";
import { NAMESPACE_URL, uuidv5 } from "../lib/uuid.js";
import { SightingTally, type SightingsRead } from "./sightings.js";

// ---------------------------------------------------------------------------------------------------------------
// Identifiers

/** Namespace of moneytrail's name-based STIX ids: uuidv5("urn:moneytrail:stix", RFC 4122 URL namespace). */
export const MONEYTRAIL_STIX_NAMESPACE = uuidv5("urn:moneytrail:stix", NAMESPACE_URL);

// names are JSON arrays so that ("a:b", "c") and ("a", "b:c") can never give the same id
export const nameOf = (...parts: string[]): string => JSON.stringify(parts);

/** The STIX id of an entry of a set: the same on every export of any version of the set. */
export function stixIndicatorId(setId: string, entryId: string): string {
  return `indicator--${uuidv5(nameOf("indicator", setId, entryId), MONEYTRAIL_STIX_NAMESPACE)}`;
}

/** The STIX identity id of a member (a publisher, or the member reporting a sighting). */
export function stixIdentityId(memberId: string): string {
  return `identity--${uuidv5(nameOf("identity", memberId), MONEYTRAIL_STIX_NAMESPACE)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// TLP 2.0 markings: the marking-definition objects OASIS publishes with the TLP 2.0 extension
// (oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0), byte for byte in meaning.

export const TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
const TLP2_CREATED = "2022-10-01T00:00:00.000Z";

export const TLP2_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  clear: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
  green: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
  amber: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
  "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
  red: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};

/** STIX 2.1's predefined TLP 1.0 markings (spec §7.2.1.4), read on import only; WHITE is read as CLEAR. */
const TLP1_MARKING_IDS: Readonly<Record<string, Tlp>> = {
  "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
  "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
  "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
};

/** The published TLP 1.0 and 2.0 marking ids: on import they mean their published level, whatever a bundle says. */
const STANDARD_TLP: ReadonlyMap<string, Tlp> = new Map([...Object.entries(TLP1_MARKING_IDS), ...Tlp.options.map((t) => [TLP2_MARKING_IDS[t], t] as const)]);
const tlpName = (t: Tlp): string => `TLP:${t.toUpperCase()}`;

/** The official TLP 2.0 marking-definition object of a level. */
export function tlpMarkingDefinition(tlp: Tlp): StixMarkingDefinition {
  return {
    type: "marking-definition",
    spec_version: "2.1",
    id: TLP2_MARKING_IDS[tlp],
    created: TLP2_CREATED,
    name: tlpName(tlp),
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: "property-extension", tlp_2_0: tlp } },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/** RFC 3339 in UTC with "Z" (STIX 2.1 §3.2); `millis`: at least three fractional digits (created, modified). */
export function isStixTimestamp(s: string, millis = false): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  if (millis && (m[7] ?? "").length < 4) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === se;
}

/** Any RFC 3339 time (as the set format allows, with an offset) as a STIX timestamp with milliseconds. */
export function toStixTimestamp(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${time}`);
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns: the comparison-expression subset moneytrail writes and reads.
//   pattern     = observation *( "OR" observation )
//   observation = "[" comparison *( ("AND" / "OR") comparison ) "]"
//   comparison  = object-type ":" path ("=" / "!=") string
//   path        = component *( "." component / "[" (digits / "*") "]" ); component = identifier / string
//   string      = "'" *( char other than ' and \ / "\'" / "\\" ) "'"
// Observations joined by OR are a list of alternatives, as comparisons joined by OR are (joins says "OR" for both).
// Other observation operators ([…] AND […], FOLLOWEDBY), qualifiers (WITHIN, START/STOP, REPEATS), parentheses and
// other comparison operators (MATCHES, LIKE, ISSUBSET, <, IN, …) are valid STIX, but not of this subset.

export interface PatternComparison {
  objectType: string;
  path: string;
  op: "=" | "!=";
  value: string;
}
export type ParsedPattern = { ok: true; comparisons: PatternComparison[]; joins: ("AND" | "OR")[] } | { ok: false; error: string };

/** A value as a STIX string literal: backslashes and single quotes escaped, in quotes. */
export function stixString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function parsePattern(pattern: string): ParsedPattern {
  let i = 0;
  const ws = (): void => {
    while (i < pattern.length && /\s/.test(pattern[i]!)) i++;
  };
  const fail = (error: string): ParsedPattern => ({ ok: false, error: `${error} (at character ${i + 1})` });
  const word = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(pattern);
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  const string = (): string | { error: string } => {
    // at the opening quote
    let out = "";
    for (i++; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === "'") {
        i++;
        return out;
      }
      if (c === "\\") {
        const n = pattern[i + 1];
        if (n !== "'" && n !== "\\") return { error: `invalid escape "\\${n ?? ""}" in a string (only \\' and \\\\)` };
        out += n;
        i++;
      } else out += c;
    }
    return { error: "unterminated string" };
  };

  ws();
  if (pattern[i] !== "[") return fail('a pattern starts with "["');
  i++;
  const comparisons: PatternComparison[] = [];
  const joins: ("AND" | "OR")[] = [];
  for (;;) {
    // after "]": another observation, an alternative to the ones before
    if (pattern[i - 1] === "]") {
      const at = i;
      ws();
      if (!/^OR\s*\[/.test(pattern.slice(i))) {
        if (/^OR\b/.test(pattern.slice(i))) return fail('expected an observation "[ … ]" after OR');
        i = at;
        break;
      }
      i = pattern.indexOf("[", i) + 1;
      joins.push("OR");
    }
    ws();
    if (pattern[i] === "(") return fail("parentheses are not supported");
    if (/^NOT\b/.test(pattern.slice(i))) return fail("NOT is not supported");
    const objectType = word(/[a-z][a-z0-9-]*[a-z0-9]/y);
    if (!objectType) return fail("expected an object type (e.g. url, domain-name)");
    if (pattern[i] !== ":") return fail(`expected ":" after the object type "${objectType}"`);
    i++;
    let path = "";
    for (let first = true; ; first = false) {
      if (first || pattern[i] === ".") {
        if (!first) i++;
        if (pattern[i] === "'") {
          const s = string();
          if (typeof s !== "string") return fail(s.error);
          path += `${first ? "" : "."}${stixString(s)}`;
        } else {
          const id = word(/[A-Za-z_][A-Za-z0-9_]*/y);
          if (!id) return fail("expected a property name");
          path += `${first ? "" : "."}${id}`;
        }
      } else if (pattern[i] === "[") {
        i++;
        const idx = word(/\d+|\*/y);
        if (!idx || pattern[i] !== "]") return fail("expected a list index or * in [ ]");
        i++;
        path += `[${idx}]`;
      } else break;
    }
    ws();
    const op = word(/!=|<=|>=|=|<|>|[A-Z]+\b/y);
    if (op !== "=" && op !== "!=") return fail(op ? `comparison operator ${op} is not supported (only = and !=)` : "expected a comparison operator");
    ws();
    if (pattern[i] !== "'") return fail("only string literals ('…') are supported as values");
    const value = string();
    if (typeof value !== "string") return fail(value.error);
    comparisons.push({ objectType, path, op, value });
    ws();
    if (pattern[i] === "]") {
      i++;
      continue;
    }
    const join = word(/AND\b|OR\b/y);
    if (join !== "AND" && join !== "OR") return fail('expected AND, OR or "]"');
    joins.push(join);
  }
  ws();
  if (i < pattern.length) {
    const rest = pattern.slice(i);
    const op = /^(AND|FOLLOWEDBY)\b/.exec(rest)?.[1];
    if (op) return fail(`observation expressions [ … ] joined by ${op} are not supported (only by OR)`);
    if (/^(WITHIN|START|STOP|REPEATS)\b/.test(rest)) return fail("qualifiers (WITHIN, START/STOP, REPEATS) are not supported");
    return fail('unexpected text after "]"');
  }
  return { ok: true, comparisons, joins };
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas of what moneytrail produces, with the STIX 2.1 rules that apply to it

const UUID_V4_V5 = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[45][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}";
const idOf = (type: string) => z.string().regex(new RegExp(`^${type}--${UUID_V4_V5}$`), `must be "${type}--" and a UUID (version 4 or 5)`);
const timestamp = z.string().refine((s) => isStixTimestamp(s), "must be a STIX timestamp: YYYY-MM-DDTHH:mm:ss[.s+]Z (UTC)");
const timestampMs = z.string().refine((s) => isStixTimestamp(s, true), "must be a STIX timestamp with milliseconds: YYYY-MM-DDTHH:mm:ss.sssZ (UTC)");
const specVersion = z.literal("2.1", { error: 'spec_version must be "2.1"' });
const markingRefs = z.array(idOf("marking-definition")).min(1);
const pattern = z.string().superRefine((p, ctx) => {
  const r = parsePattern(p);
  if (!r.ok) ctx.addIssue({ code: "custom", message: `not a pattern moneytrail accepts: ${r.error}` });
});

/** What every STIX domain object we make has: its type, spec version, `type--UUID` id and timestamps. */
const sdo = <T extends string>(type: T) => ({ type: z.literal(type), spec_version: specVersion, id: idOf(type), created: timestampMs, modified: timestampMs });

export const StixIdentity = z.strictObject({
  ...sdo("identity"),
  name: z.string().min(1),
  identity_class: z.string().min(1).optional(),
  /** the member's id in moneytrail (Publisher.id), so a round trip keeps it */
  x_moneytrail_member_id: z.string().min(1).optional(),
});
export type StixIdentity = z.infer<typeof StixIdentity>;

export const StixMarkingDefinition = z
  .strictObject({
    type: z.literal("marking-definition"),
    spec_version: specVersion,
    id: idOf("marking-definition"),
    created: timestampMs,
    created_by_ref: idOf("identity").optional(),
    name: z.string().min(1).optional(),
    definition_type: z.literal("statement").optional(),
    definition: z.strictObject({ statement: z.string().min(1) }).optional(),
    extensions: z
      .record(z.string().regex(new RegExp(`^extension-definition--${UUID_V4_V5}$`), "extension keys are extension-definition ids"), z.looseObject({ extension_type: z.string().optional() }))
      .optional(),
  })
  .superRefine((m, ctx) => {
    const tlp = m.extensions?.[TLP2_EXTENSION_ID];
    if (tlp) {
      const level = Tlp.safeParse(tlp.tlp_2_0);
      if (!level.success) ctx.addIssue({ code: "custom", path: ["extensions", TLP2_EXTENSION_ID, "tlp_2_0"], message: "not a TLP 2.0 level" });
      else if (m.id !== TLP2_MARKING_IDS[level.data] || m.name !== tlpName(level.data))
        ctx.addIssue({ code: "custom", path: ["id"], message: `a TLP 2.0 marking must use the published id and name of ${tlpName(level.data)}: ${TLP2_MARKING_IDS[level.data]}` });
      if (tlp.extension_type !== "property-extension") ctx.addIssue({ code: "custom", path: ["extensions", TLP2_EXTENSION_ID, "extension_type"], message: 'must be "property-extension"' });
    } else if (!(m.definition_type === "statement" && m.definition)) {
      ctx.addIssue({ code: "custom", path: ["definition"], message: "a marking-definition needs the TLP 2.0 extension or definition_type statement with a definition" });
    }
  });
export type StixMarkingDefinition = z.infer<typeof StixMarkingDefinition>;

export const StixIndicator = z.strictObject({
  ...sdo("indicator"),
  created_by_ref: idOf("identity").optional(),
  revoked: z.boolean().optional(),
  description: z.string().optional(),
  indicator_types: z.array(z.string().min(1)).min(1).optional(),
  pattern,
  pattern_type: z.literal("stix"),
  pattern_version: z.string().optional(),
  valid_from: timestamp,
  valid_until: timestamp.optional(),
  confidence: z.number().int().min(0).max(100).optional(),
  object_marking_refs: markingRefs.optional(),
  x_moneytrail_kind: IndicatorKind.optional(),
  x_moneytrail_entry_id: z.string().min(1).optional(),
  x_moneytrail_set_id: z.string().min(1).optional(),
});
export type StixIndicator = z.infer<typeof StixIndicator>;

export const Disposition = z.enum(["confirmed", "dismissed"]);
export type Disposition = z.infer<typeof Disposition>;

export const StixSighting = z.strictObject({
  ...sdo("sighting"),
  created_by_ref: idOf("identity").optional(),
  sighting_of_ref: idOf("indicator"),
  count: z.number().int().min(0).max(999_999_999).optional(),
  first_seen: timestamp.optional(),
  last_seen: timestamp.optional(),
  where_sighted_refs: z.array(idOf("identity")).min(1).optional(),
  object_marking_refs: markingRefs.optional(),
  description: z.string().optional(),
  /** the reviewer's decision: a dismissed lead lets the publisher lower or withdraw the indicator */
  x_moneytrail_disposition: Disposition,
});
export type StixSighting = z.infer<typeof StixSighting>;

const OBJECT_SCHEMAS = { identity: StixIdentity, "marking-definition": StixMarkingDefinition, indicator: StixIndicator, sighting: StixSighting } as const;
export const StixObject = z.discriminatedUnion("type", [StixIdentity, StixMarkingDefinition, StixIndicator, StixSighting]);
export type StixObject = z.infer<typeof StixObject>;

export const StixBundleSchema = z
  .strictObject({ type: z.literal("bundle"), id: idOf("bundle"), objects: z.array(StixObject) })
  .superRefine((b, ctx) => {
    for (const message of crossCheck(b.objects)) ctx.addIssue({ code: "custom", path: ["objects"], message });
  });
export type StixBundle = z.infer<typeof StixBundleSchema>;

const ms = (t: string): number => Date.parse(t);
const label = (o: { id?: unknown }, i: number): string => `objects[${i}]${typeof o.id === "string" ? ` (${o.id})` : ""}`;

/** The rules between properties and between objects: ordering of times, references resolving in the bundle. */
function crossCheck(objects: readonly StixObject[]): string[] {
  const errors: string[] = [];
  const byId = new Map<string, StixObject>();
  objects.forEach((o, i) => {
    if (byId.has(o.id)) errors.push(`${label(o, i)}: id appears more than once`);
    byId.set(o.id, o);
  });
  const refTo = (i: number, o: StixObject, prop: string, ref: string, type: StixObject["type"]): void => {
    const target = byId.get(ref);
    if (!target) errors.push(`${label(o, i)}: ${prop} ${ref} does not resolve to an object in the bundle`);
    else if (target.type !== type) errors.push(`${label(o, i)}: ${prop} ${ref} is a ${target.type}, not a ${type}`);
  };
  objects.forEach((o, i) => {
    if ("modified" in o && ms(o.modified) < ms(o.created)) errors.push(`${label(o, i)}: modified is earlier than created`);
    if ("created_by_ref" in o && o.created_by_ref) refTo(i, o, "created_by_ref", o.created_by_ref, "identity");
    if ("object_marking_refs" in o) for (const r of o.object_marking_refs ?? []) refTo(i, o, "object_marking_refs", r, "marking-definition");
    if (o.type === "indicator" && o.valid_until && ms(o.valid_until) <= ms(o.valid_from)) errors.push(`${label(o, i)}: valid_until must be later than valid_from`);
    if (o.type === "sighting") {
      if (o.first_seen && o.last_seen && ms(o.last_seen) < ms(o.first_seen)) errors.push(`${label(o, i)}: last_seen is earlier than first_seen`);
      for (const r of o.where_sighted_refs ?? []) refTo(i, o, "where_sighted_refs", r, "identity");
    }
  });
  return errors;
}

const issues = (prefix: string, error: z.ZodError): string[] =>
  error.issues.map((i) => `${prefix}${i.path.length ? `: ${formatPath(i.path)}` : ""}: ${i.message}`);

/**
 * Checks a bundle against the STIX 2.1 rules for the objects moneytrail produces (identity, marking-definition,
 * indicator, sighting): required properties, identifiers, timestamps, spec_version, patterns of the subset above,
 * time ordering, and created_by_ref / object_marking_refs / where_sighted_refs resolving inside the bundle.
 */
export function validateStixBundle(b: unknown): { ok: true } | { ok: false; errors: string[] } {
  const env = z.strictObject({ type: z.literal("bundle"), id: idOf("bundle"), objects: z.array(z.unknown()) }).safeParse(b);
  if (!env.success) return { ok: false, errors: issues("bundle", env.error) };
  const errors: string[] = [];
  const objects: StixObject[] = [];
  env.data.objects.forEach((o, i) => {
    const type = typeof o === "object" && o !== null ? (o as { type?: unknown }).type : undefined;
    const schema = typeof type === "string" ? OBJECT_SCHEMAS[type as keyof typeof OBJECT_SCHEMAS] : undefined;
    if (!schema) {
      errors.push(`${label((o ?? {}) as { id?: unknown }, i)}: type ${JSON.stringify(type)} is not one moneytrail produces (${Object.keys(OBJECT_SCHEMAS).join(", ")})`);
      return;
    }
    const r = schema.safeParse(o);
    if (r.success) objects.push(r.data);
    else errors.push(...issues(label(o as { id?: unknown }, i), r.error));
  });
  // references are checked among the objects that parsed; a broken object was reported above
  if (errors.length === 0) errors.push(...crossCheck(objects));
  return errors.length ? { ok: false, errors } : { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Export

/** Why an entry (export) or a STIX object / MISP attribute (import) was left out. */
export interface Skipped {
  /** entry id on export; the STIX id on import */
  ref: string;
  reason: string;
}

export interface StixExportOptions {
  /** created/modified of the publisher's identity (default: the set's created, so an export is a function of the set) */
  now?: string;
  /** TLP:RED entries never leave the member holding them; true only for an internal backup */
  includeRed?: boolean;
  /** revoked entries as indicators with revoked: true (default: left out) */
  includeRevoked?: boolean;
}

const HASHED_PATH: Partial<Record<IndicatorKind, string>> = {
  "url-sha256": "url",
  "domain-sha256": "domain-name",
  "email-sha256": "email-addr",
};
export const HASH_PROPERTY = "x_moneytrail_sha256";

/** The STIX comparison for an entry, or the reason it has none. */
function comparisonFor(kind: IndicatorKind, value: string): { objectType: string; path: string; value: string } | { reason: string } {
  switch (kind) {
    case "url": {
      if (canonicalUrl(value) === null) return { reason: "not an http(s) URL" };
      const v = value.trim();
      // url:value is an RFC 3986 URL: a value written without a scheme gets http:// (the same site to moneytrail)
      return { objectType: "url", path: "value", value: /^https?:\/\//i.test(v) ? v : `http://${v.replace(/^\/\//, "")}` };
    }
    case "domain":
      return { objectType: "domain-name", path: "value", value: value.trim() };
    case "ip": {
      const v = value.trim();
      const addr = v.replace(/\/\d{1,3}$/, "");
      const version = isIP(addr);
      if (!version) return { reason: "not an IP address" };
      return { objectType: version === 4 ? "ipv4-addr" : "ipv6-addr", path: "value", value: v };
    }
    case "url-sha256":
    case "domain-sha256":
    case "email-sha256":
      return { objectType: HASHED_PATH[kind]!, path: HASH_PROPERTY, value };
    default:
      return { reason: `kind ${kind} has no STIX form (see docs/stix-misp.md)` };
  }
}

/** A set as a STIX 2.1 bundle, with the entries left out and why. */
export function toStixExport(set: IndicatorSet, opts: StixExportOptions = {}): { bundle: StixBundle; skipped: Skipped[] } {
  const setCreated = toStixTimestamp(set.created);
  const identityTime = opts.now ? toStixTimestamp(opts.now) : setCreated;
  const identity: StixIdentity = {
    type: "identity",
    spec_version: "2.1",
    id: stixIdentityId(set.publisher.id),
    created: identityTime,
    modified: identityTime,
    name: set.publisher.name ?? set.publisher.id,
    identity_class: "organization",
    x_moneytrail_member_id: set.publisher.id,
  };
  const skipped: Skipped[] = [];
  const indicators: StixIndicator[] = [];
  const used = new Set<Tlp>();
  for (const e of set.entries) {
    if (e.revoked && !opts.includeRevoked) {
      skipped.push({ ref: e.id, reason: "revoked: a tool that imported it keeps it until its valid_until; --include-revoked (includeRevoked) sends it with revoked: true" });
      continue;
    }
    if (e.tlp === "red" && !opts.includeRed) {
      skipped.push({ ref: e.id, reason: RED_NOT_EXPORTED });
      continue;
    }
    const c = comparisonFor(e.kind, e.value);
    if ("reason" in c) {
      skipped.push({ ref: e.id, reason: c.reason });
      continue;
    }
    const validFrom = e.validFrom ? toStixTimestamp(e.validFrom) : setCreated;
    const validUntil = e.validUntil ? toStixTimestamp(e.validUntil) : undefined;
    if (validUntil && ms(validUntil) <= ms(validFrom)) {
      skipped.push({
        ref: e.id,
        reason: e.validFrom
          ? "validUntil is not later than validFrom (STIX requires valid_until > valid_from)"
          : "expired before the set was created: with no validFrom, valid_from is the set's created and STIX requires valid_until > valid_from",
      });
      continue;
    }
    // created: when the entry started to hold, if that was before this release (stable across releases);
    // modified: this release of the set
    const created = ms(validFrom) < ms(setCreated) ? validFrom : setCreated;
    if (e.tlp) used.add(e.tlp);
    indicators.push({
      type: "indicator",
      spec_version: "2.1",
      id: stixIndicatorId(set.id, e.id),
      created,
      modified: setCreated,
      created_by_ref: identity.id,
      ...(e.revoked && { revoked: true }),
      // beside a hash, a description may name what it hides (shareable)
      ...(e.description && !isHashedKind(e.kind) && { description: e.description }),
      indicator_types: ["malicious-activity"],
      pattern: `[${c.objectType}:${c.path} = ${stixString(c.value)}]`,
      pattern_type: "stix",
      pattern_version: "2.1",
      valid_from: validFrom,
      ...(validUntil && { valid_until: validUntil }),
      confidence: e.confidence,
      ...(e.tlp && { object_marking_refs: [TLP2_MARKING_IDS[e.tlp]] }),
      x_moneytrail_kind: e.kind,
      x_moneytrail_entry_id: e.id,
      x_moneytrail_set_id: set.id,
    });
  }
  const markings = Tlp.options.filter((t) => used.has(t)).map(tlpMarkingDefinition);
  return { bundle: { type: "bundle", id: `bundle--${randomUUID()}`, objects: [identity, ...markings, ...indicators] }, skipped };
}

// ---------------------------------------------------------------------------------------------------------------
// Import

export class StixImportError extends Error {
  constructor(readonly errors: string[]) {
    super(`not an importable STIX 2.1 bundle:\n${errors.map((e) => `  ${e}`).join("\n")}`);
    this.name = "StixImportError";
  }
}

export interface StixImportOptions {
  /** the imported set's id (default: the x_moneytrail_set_id the indicators share, else "stix:" + the bundle id) */
  setId?: string;
  /** default 1 */
  version?: number;
  /** the set's publisher (default: the one identity the indicators' created_by_ref names) */
  publisher?: { id: string; name?: string };
  /** the set's created when no indicator is imported (default: the current time) */
  now?: string;
}

const anyId = z.string().regex(new RegExp(`^[a-z][a-z0-9-]*[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`), "must be <type>--<UUID>");
// what others' tools send: the properties STIX requires and those moneytrail reads; anything else is let through
const InIndicator = z.looseObject({
  type: z.literal("indicator"),
  spec_version: specVersion,
  id: anyId,
  created: timestamp,
  modified: timestamp,
  pattern: z.string().min(1),
  pattern_type: z.string().min(1),
  valid_from: timestamp,
  valid_until: timestamp.optional(),
  confidence: z.number().int().min(0).max(100).optional(),
  revoked: z.boolean().optional(),
  created_by_ref: anyId.optional(),
  object_marking_refs: z.array(anyId).optional(),
  granular_markings: z.array(z.looseObject({ marking_ref: anyId.optional() })).optional(),
  description: z.string().optional(),
  x_moneytrail_kind: z.string().optional(),
  x_moneytrail_entry_id: z.string().optional(),
  x_moneytrail_set_id: z.string().optional(),
});
const InIdentity = z.looseObject({ type: z.literal("identity"), spec_version: specVersion, id: anyId, name: z.string().min(1), x_moneytrail_member_id: z.string().min(1).max(256).optional() });
// a sighting as stixSighting writes it, or another tool: who saw it (where_sighted_refs, else its creator), how often, when
const InSighting = z.looseObject({
  type: z.literal("sighting"),
  spec_version: specVersion,
  id: anyId,
  created: timestamp,
  modified: timestamp,
  sighting_of_ref: anyId,
  count: z.number().int().min(0).max(999_999_999).optional(),
  first_seen: timestamp.optional(),
  last_seen: timestamp.optional(),
  created_by_ref: anyId.optional(),
  where_sighted_refs: z.array(anyId).optional(),
  revoked: z.boolean().optional(),
  x_moneytrail_disposition: Disposition.optional(),
});
const InMarking = z.looseObject({
  type: z.literal("marking-definition"),
  id: anyId,
  definition_type: z.string().optional(),
  definition: z.looseObject({ tlp: z.string().optional() }).optional(),
  extensions: z.record(z.string(), z.looseObject({ tlp_2_0: z.string().optional() })).optional(),
});

/** Which moneytrail kind a single equality comparison names, and the entry value; null when none. */
function kindOf(c: PatternComparison): { kind: IndicatorKind; value: string } | { reason: string } {
  const where = `${c.objectType}:${c.path}`;
  switch (where) {
    case "url:value":
      return canonicalUrl(c.value) === null ? { reason: "url:value is not an http(s) URL" } : { kind: "url", value: c.value };
    case "domain-name:value":
      return /^[^\s/?#@:]+$/.test(c.value.trim()) ? { kind: "domain", value: c.value.trim() } : { reason: "domain-name:value is not a host name" };
    case "ipv4-addr:value":
    case "ipv6-addr:value":
      return isIP(c.value.trim().replace(/\/\d{1,3}$/, "")) === (c.objectType === "ipv4-addr" ? 4 : 6) ? { kind: "ip", value: c.value.trim() } : { reason: `${where} is not an IP address of that version` };
    case "email-addr:value": {
      // kept only as the hash of the trimmed, lowercased address: no plaintext address in a set
      const value = emailSha256(c.value);
      return value ? { kind: "email-sha256", value } : { reason: "email-addr:value is not an e-mail address" };
    }
    case `url:${HASH_PROPERTY}`:
      return { kind: "url-sha256", value: c.value };
    case `domain-name:${HASH_PROPERTY}`:
      return { kind: "domain-sha256", value: c.value };
    case `email-addr:${HASH_PROPERTY}`:
      return { kind: "email-sha256", value: c.value };
    default:
      return { reason: `no moneytrail kind for ${where}` };
  }
}


/**
 * The TLP level a marking-definition states: the stricter of its TLP 2.0 extension and its TLP 1.0 definition, RED
 * for a stated level that is none of TLP's; undefined when it states none (a statement, a licence, another scheme).
 */
function markingLevel(m: z.infer<typeof InMarking>): Tlp | undefined {
  const stated = [m.extensions?.[TLP2_EXTENSION_ID]?.tlp_2_0, m.definition_type === "tlp" ? m.definition?.tlp : undefined].flatMap((l) => (l === undefined ? [] : [l.toLowerCase()]));
  return strictestTlp(stated.map((l) => (l === "white" ? "clear" : tlpOrRed(l))));
}

/**
 * A bundle's objects of one type by id: a STIX bundle may carry several versions of an object, and the latest
 * `modified` is the one that holds. Read back in the bundle's order of the versions kept.
 */
function latestVersions<T extends { id: string; modified: string }>(): { put(o: T, i: number): void; inOrder(): T[] } {
  const byId = new Map<string, { i: number; o: T }>();
  return {
    put(o, i) {
      const prev = byId.get(o.id);
      if (!prev || ms(o.modified) >= ms(prev.o.modified)) byId.set(o.id, { i, o });
    },
    inOrder: () => [...byId.values()].sort((x, y) => x.i - y.i).map((v) => v.o),
  };
}

/** Indicators of a STIX 2.1 bundle as a moneytrail set, with what was left out and why. */
export function importStixBundle(bundle: unknown, opts: StixImportOptions = {}): { set: IndicatorSet; skipped: Skipped[]; sightings: SightingsRead } {
  if (typeof bundle === "object" && bundle !== null && (bundle as { spec_version?: unknown }).spec_version === "2.0")
    throw new StixImportError(["bundle: spec_version 2.0: STIX 2.0 bundles are not supported, only STIX 2.1"]);
  const env = z
    .looseObject({
      type: z.literal("bundle", { error: 'type must be "bundle"' }),
      id: idOf("bundle"),
      objects: z.array(z.looseObject({ type: z.string().min(1), id: anyId }), { error: "objects must be a list of STIX objects" }),
    })
    .safeParse(bundle);
  if (!env.success) throw new StixImportError(issues("bundle", env.error));
  const b = env.data;

  const errors: string[] = [];
  const identities = new Map<string, z.infer<typeof InIdentity>>();
  const markingTlp = new Map<string, Tlp>(STANDARD_TLP);
  const latest = latestVersions<z.infer<typeof InIndicator>>();
  const latestSighting = latestVersions<z.infer<typeof InSighting>>();
  b.objects.forEach((o, i) => {
    const where = label(o, i);
    if (o.type === "indicator") {
      const r = InIndicator.safeParse(o);
      if (!r.success) return void errors.push(...issues(where, r.error));
      latest.put(r.data, i);
    } else if (o.type === "sighting") {
      const r = InSighting.safeParse(o);
      if (!r.success) return void errors.push(...issues(where, r.error));
      latestSighting.put(r.data, i);
    } else if (o.type === "identity") {
      const r = InIdentity.safeParse(o);
      if (!r.success) return void errors.push(...issues(where, r.error));
      identities.set(r.data.id, r.data);
    } else if (o.type === "marking-definition") {
      const r = InMarking.safeParse(o);
      if (!r.success) return void errors.push(...issues(where, r.error));
      const stated = markingLevel(r.data);
      const standard = STANDARD_TLP.get(r.data.id);
      // A bundle that gives a published TLP id another meaning is broken or tries to downgrade (RED read as CLEAR):
      // it is refused rather than read either way, so that whoever imports it sees the contradiction.
      if (standard && stated !== standard)
        errors.push(
          `${where}: redefines the published ${tlpName(standard)} marking as ${stated ? tlpName(stated) : "a marking that is not TLP"}; the published TLP ids keep their meaning: ask the sender for a bundle that uses them as published`,
        );
      // A marking that states no TLP level ("do not share", a licence) restricts in a way that moneytrail can honour
      // only by keeping the entry at home: it reads as RED. Two definitions of one id: the stricter holds.
      else if (!standard) markingTlp.set(r.data.id, strictestTlp([stated ?? "red", markingTlp.get(r.data.id) ?? "clear"])!);
    }
    // other objects (malware, relationships, notes, observables, …) carry nothing a set can hold
  });
  if (errors.length) throw new StixImportError(errors);

  const skipped: Skipped[] = [];
  const entries: IndicatorEntry[] = [];
  const entryIds = new Set<string>();
  const creators = new Set<string>();
  const setIds = new Set<string>();
  // the entries made of each indicator (several for alternatives): its sightings are theirs
  const entriesOf = new Map<string, string[]>();
  let created = -Infinity;
  for (const ind of latest.inOrder()) {
    const skip = (reason: string): void => void skipped.push({ ref: ind.id, reason });
    if (ind.pattern_type !== "stix") {
      skip(`pattern_type ${ind.pattern_type} is not supported (only stix)`);
      continue;
    }
    const p = parsePattern(ind.pattern);
    if (!p.ok) {
      skip(`pattern not supported: ${p.error}`);
      continue;
    }
    if (p.joins.includes("AND")) {
      skip(`pattern has ${p.comparisons.length} comparisons joined by ${[...new Set(p.joins)].join("/")}: comparisons that must hold together (AND) map to no entry, only one comparison or alternatives (OR)`);
      continue;
    }
    // every marking counts, on the whole indicator or on a part of it; one the bundle does not define is a
    // restriction moneytrail cannot read, so it counts as RED (the entry still matches here, and never leaves)
    const refs = [...(ind.object_marking_refs ?? []), ...(ind.granular_markings ?? []).flatMap((g) => g.marking_ref ?? [])];
    const tlp = strictestTlp(refs.map((r) => markingTlp.get(r) ?? "red"));
    // alternatives (OR) are indicators each: an entry of each, the indicator's id with #1, #2, … (a sighting names the
    // indicator itself), what cannot map named by its place among them
    const split = p.comparisons.length > 1;
    let took = false;
    p.comparisons.forEach((c, n) => {
      const skipOne = (reason: string): void => void skipped.push({ ref: split ? `${ind.id} (comparison ${n + 1} of ${p.comparisons.length})` : ind.id, reason });
      if (c.op !== "=") return skipOne(`comparison ${c.op} is not supported: only = maps to an entry`);
      const k = kindOf(c);
      if ("reason" in k) return skipOne(k.reason);
      if (ind.x_moneytrail_kind !== undefined && ind.x_moneytrail_kind !== k.kind) return skipOne(`x_moneytrail_kind ${ind.x_moneytrail_kind} does not match the pattern (${k.kind})`);
      let id = split ? `${ind.id}#${n + 1}` : (ind.x_moneytrail_entry_id ?? ind.id);
      if (entryIds.has(id)) id = ind.id;
      const entry = IndicatorEntry.safeParse({
        id,
        kind: k.kind,
        value: k.value,
        confidence: ind.confidence ?? 50,
        ...(tlp && { tlp }),
        validFrom: ind.valid_from,
        ...(ind.valid_until && { validUntil: ind.valid_until }),
        ...(ind.revoked && { revoked: true }),
        ...(ind.description && { description: ind.description.slice(0, 512) }),
      });
      if (!entry.success) return skipOne(`not a valid entry: ${entry.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; ")}`);
      entries.push(entry.data);
      entryIds.add(entry.data.id);
      entriesOf.set(ind.id, [...(entriesOf.get(ind.id) ?? []), entry.data.id]);
      took = true;
    });
    if (!took) continue;
    creators.add(ind.created_by_ref ?? "");
    if (ind.x_moneytrail_set_id) setIds.add(ind.x_moneytrail_set_id);
    created = Math.max(created, ms(ind.modified));
  }

  const tally = new SightingTally();
  // a member reads as its moneytrail id, as publishers do: its sightings and its sets name it alike
  const member = (ref: string): string => identities.get(ref)?.x_moneytrail_member_id ?? ref;
  for (const s of latestSighting.inOrder()) {
    if (s.revoked) skipped.push({ ref: s.id, reason: "revoked: its sender withdrew it" });
    else if (s.count === 0) skipped.push({ ref: s.id, reason: "count 0: it reports no sighting" });
    else
      tally.add(
        entriesOf.get(s.sighting_of_ref) ?? [],
        s.x_moneytrail_disposition === "dismissed" ? "falsePositive" : "seen",
        s.count ?? 1,
        (s.where_sighted_refs ?? (s.created_by_ref ? [s.created_by_ref] : [])).map(member),
        ms(s.last_seen ?? s.first_seen ?? s.modified),
      );
  }

  const publisherOf = (ref: string): IndicatorSet["publisher"] => {
    const who = identities.get(ref);
    if (!who) return { id: `stix:${ref}` };
    return { id: who.x_moneytrail_member_id ?? `stix:${who.id}`, name: who.name.slice(0, 256) };
  };
  const creatorList = [...creators];
  const publisher: IndicatorSet["publisher"] =
    opts.publisher ??
    (creatorList.length === 1 && creatorList[0]
      ? publisherOf(creatorList[0])
      : creatorList.length > 1
        ? { id: `stix:${b.id}`, name: `several creators: ${creatorList.map((r) => (r && identities.get(r)?.name) || r || "(none)").join(", ")}`.slice(0, 256) }
        : { id: `stix:${b.id}` });
  const set = {
    format: FORMAT,
    id: opts.setId ?? (setIds.size === 1 ? [...setIds][0]! : `stix:${b.id}`),
    publisher,
    version: opts.version ?? 1,
    created: Number.isFinite(created) ? new Date(created).toISOString() : toStixTimestamp(opts.now ?? new Date().toISOString()),
    entries: tally.onto(entries),
  };
  const parsed = IndicatorSet.safeParse(set);
  if (!parsed.success) throw new StixImportError(issues("set", parsed.error));
  return { set: parsed.data, skipped, sightings: tally.summary() };
}

// ---------------------------------------------------------------------------------------------------------------
// Sightings

const SightingInput = z.strictObject({
  setId: z.string().min(1),
  entryId: z.string().min(1),
  member: z.strictObject({ id: z.string().min(1), name: z.string().min(1).optional() }),
  disposition: Disposition,
  at: z.iso.datetime({ offset: true }),
  count: z.number().int().min(1).max(999_999_999).optional(),
  /** the sighting's marking (default amber: it tells that a member's customer matched); red only for the indicator's own publisher */
  tlp: Tlp.optional(),
  /** what decided it (a case's id): two cases closed alike in the same millisecond are two sightings */
  decisionId: z.string().min(1).optional(),
});
export type SightingInput = z.input<typeof SightingInput>;

/**
 * An entry id that is a STIX indicator's id, or one of its alternatives (#n): the entry came from a partner's bundle
 * (importStixBundle); the indicator's id is the first group.
 */
const PARTNER_INDICATOR = /^(indicator--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})(?:#\d+)?$/i;

/**
 * A reviewer's decision on a case whose alert cited an indicator, for the indicator's publisher: a bundle with the
 * reporting member's identity, the TLP marking and a sighting of the indicator (the same UUIDv5 id the publisher's
 * export gave it, or the partner's indicator id for an entry imported from a bundle), whose x_moneytrail_disposition
 * says confirmed or dismissed.
 */
export function stixSighting(input: SightingInput): StixBundle {
  const s = SightingInput.parse(input);
  const at = toStixTimestamp(s.at);
  const tlp = s.tlp ?? "amber";
  const identity: StixIdentity = {
    type: "identity",
    spec_version: "2.1",
    id: stixIdentityId(s.member.id),
    created: at,
    modified: at,
    name: s.member.name ?? s.member.id,
    identity_class: "organization",
    x_moneytrail_member_id: s.member.id,
  };
  const sighting: StixSighting = {
    type: "sighting",
    spec_version: "2.1",
    id: `sighting--${uuidv5(nameOf("sighting", s.setId, s.entryId, s.member.id, s.disposition, at, ...(s.decisionId ? [s.decisionId] : [])), MONEYTRAIL_STIX_NAMESPACE)}`,
    created: at,
    modified: at,
    created_by_ref: identity.id,
    // an entry imported from a partner's bundle keeps its indicator's id, which is the one the partner's tool knows
    sighting_of_ref: PARTNER_INDICATOR.exec(s.entryId)?.[1] ?? stixIndicatorId(s.setId, s.entryId),
    count: s.count ?? 1,
    first_seen: at,
    last_seen: at,
    where_sighted_refs: [identity.id],
    object_marking_refs: [TLP2_MARKING_IDS[tlp]],
    x_moneytrail_disposition: s.disposition,
  };
  return { type: "bundle", id: `bundle--${randomUUID()}`, objects: [identity, tlpMarkingDefinition(tlp), sighting] };
}
