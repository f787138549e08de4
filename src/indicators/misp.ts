// MISP feeds in, MISP sightings out. A MISP feed directory (what MISP's "feed" export and its feed fetcher use) is
// manifest.json (event uuid → summary) and one <uuid>.json per event; an event's page exports the same {"Event": …}
// file on its own, which imports as a feed of one. Attributes flagged for detection (to_ids)
// become entries of a moneytrail set; the choices are in docs/stix-misp.md.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isIP } from "node:net";
import { z } from "zod";
import { FORMAT, IndicatorEntry, IndicatorSet, strictestTlp, type IndicatorKind, type Tlp } from "./schema.js";
import { canonicalUrl } from "../lib/url.js";
import { emailSha256 } from "./privacy.js";
import { notJson } from "./index.js";
import { ConfigError, UsageError, zodIssues } from "../lib/errors.js";
import { Disposition, nameOf, type Skipped } from "./stix.js";
import { NAMESPACE_URL, uuidv5 } from "../lib/uuid.js";
import { withoutBom } from "../decode/decode.js";
import { SightingTally, type SightingKind, type SightingsRead } from "./sightings.js";

export interface MispImportOptions {
  /** the imported set's id (default "misp:" + the directory's name, or the event's uuid for one event's file) */
  setId?: string;
  /** default 1 */
  version?: number;
  /** the set's publisher (default: the events' Orgc when they share one) */
  publisher?: { id: string; name?: string };
  /** the set's created when no event carries a timestamp (default: the current time) */
  now?: string;
}

/** Attributes whose `to_ids` flag is set, by MISP type: the moneytrail kind they become. */
export const MISP_TYPE_KINDS: Readonly<Record<string, IndicatorKind>> = {
  url: "url",
  domain: "domain",
  hostname: "domain",
  email: "email-sha256",
  "email-src": "email-sha256",
  "email-dst": "email-sha256",
  "ip-dst": "ip",
  "ip-src": "ip",
  btc: "wallet",
  xmr: "wallet",
  dash: "wallet",
};

/** Confidence of an attribute without a confidence-level or admiralty-scale tag (see docs/stix-misp.md). */
export const MISP_DEFAULT_CONFIDENCE = 70;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an indicator MISP knows: an entry imported from a MISP feed has its attribute's uuid as its id. */
export const isMispAttribute = (entryId: string): boolean => UUID.test(entryId);
// a union's own message: without it, a value neither branch takes ("yes", -5) is only "Invalid input"
const flag = z.union([z.boolean(), z.enum(["0", "1"]).transform((v) => v === "1")], { error: 'must be true or false (or "1" or "0", as MISP also writes it)' });
const SECONDS = "must be seconds since 1970, a whole number 0 or more, as MISP writes times (not a date)";
const epoch = z.union([z.string().regex(/^\d+$/, SECONDS), z.number().int(SECONDS).min(0, SECONDS)], { error: SECONDS });
const Tag = z.looseObject({ name: z.string() });
/** MISP's distribution: 0 your organisation only, 1 this community, 2 connected communities, 3 all, 4 a sharing group, 5 inherit */
const Distribution = z.union([z.enum(["0", "1", "2", "3", "4", "5"]).transform(Number), z.number().int().min(0).max(5)], { error: "must be 0 to 5" });
// Your organisation only (0) may not leave this member; nor may a sharing group's (4): moneytrail cannot tell whether
// the coalition's members are in that group. Either, on the event, the object or the attribute, imports as TLP:RED,
// which is matched here and never exported.
const KEPT_HOME: ReadonlySet<number | undefined> = new Set([0, 4]);
const keptHome = (...distributions: (number | undefined)[]): boolean => distributions.some((d) => KEPT_HOME.has(d));
const Orgc = z.looseObject({ name: z.string().min(1), uuid: z.string().optional() });

const Manifest = z
  .record(z.string(), z.looseObject({ info: z.string().optional(), Orgc: Orgc.optional(), timestamp: epoch.optional(), Tag: z.array(Tag).optional() }))
  .superRefine((m, ctx) => {
    for (const key of Object.keys(m)) if (!UUID.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "manifest keys are event UUIDs" });
  });

const Attribute = z.looseObject({
  uuid: z.string().min(1).max(128),
  type: z.string().min(1),
  value: z.string(),
  to_ids: flag,
  category: z.string().optional(),
  Tag: z.array(Tag).optional(),
  timestamp: epoch.optional(),
  deleted: flag.optional(),
  distribution: Distribution.optional(),
  // each read on its own (readSightings): one malformed sighting is listed as not imported, the attribute still is
  Sighting: z.array(z.unknown()).optional(),
});
type Attribute = z.infer<typeof Attribute>;

/** MISP's sighting types (core format, "Sighting"): 0 seen, 1 a false positive, 2 expired at the time of the sighting. */
const SIGHTING_KINDS: readonly SightingKind[] = ["seen", "falsePositive", "expired"];
const SightingIn = z.looseObject({
  type: z.union([z.enum(["0", "1", "2"]).transform(Number), z.number().int().min(0).max(2)], { error: "must be 0 (seen), 1 (false positive) or 2 (expired)" }),
  date_sighting: epoch,
  org_id: z.union([z.string(), z.number()]).optional(),
  Organisation: z.looseObject({ uuid: z.string().optional(), name: z.string().optional() }).optional(),
});

/**
 * An attribute's sightings onto the tally (entryIds: the entry made of it, if any); a malformed one is listed as not
 * imported. A sighting without an organisation is anonymous (MISP's anonymised sightings): counted, naming none.
 */
function readSightings(a: Attribute, entryIds: readonly string[], tally: SightingTally, skipped: Skipped[]): void {
  (a.Sighting ?? []).forEach((raw, i) => {
    const r = SightingIn.safeParse(raw);
    if (!r.success) return void skipped.push({ ref: `${a.uuid} Sighting[${i}]`, reason: `sighting not read: ${zodIssues(r.error, raw).map((x) => `${x.path || "(sighting)"}: ${x.message}`).join("; ")}` });
    const o = r.data.Organisation;
    const org = o?.uuid ?? o?.name ?? (r.data.org_id !== undefined && String(r.data.org_id) !== "0" ? `org_id:${r.data.org_id}` : undefined);
    tally.add(entryIds, SIGHTING_KINDS[r.data.type]!, 1, org === undefined ? [] : [org], seconds(r.data.date_sighting));
  });
}

const EventFile = z.looseObject({
  Event: z.looseObject({
    uuid: z.string().regex(UUID, "must be a UUID"),
    info: z.string(),
    Orgc,
    timestamp: epoch.optional(),
    Tag: z.array(Tag).optional(),
    distribution: Distribution.optional(),
    Attribute: z.array(Attribute).optional(),
    Object: z.array(z.looseObject({ name: z.string().optional(), distribution: Distribution.optional(), Attribute: z.array(Attribute).optional() })).optional(),
  }),
});

const TLP_TAGS: Readonly<Record<string, Tlp>> = {
  "tlp:white": "clear",
  "tlp:clear": "clear",
  "tlp:green": "green",
  "tlp:amber": "amber",
  "tlp:amber+strict": "amber+strict",
  "tlp:red": "red",
};

/** The most restrictive TLP among the tags, if any is a TLP tag. */
export function tlpOfTags(tags: readonly { name: string }[] | undefined): Tlp | undefined {
  return strictestTlp((tags ?? []).map((t) => TLP_TAGS[t.name.trim().toLowerCase()]));
}

// misp taxonomy, predicate confidence-level: the taxonomy's own numerical values
const CONFIDENCE_LEVEL: Readonly<Record<string, number>> = {
  "completely-confident": 100,
  "usually-confident": 75,
  "fairly-confident": 50,
  "rarely-confident": 25,
  unconfident: 0,
  "confidence-cannot-be-evaluated": 50,
};
// admiralty-scale information-credibility → STIX 2.1 confidence (STIX 2.1 Part 1, Appendix B); 6 ("truth cannot be
// judged") has no value there and falls to the default
const ADMIRALTY_CREDIBILITY: Readonly<Record<string, number>> = { "1": 90, "2": 70, "3": 50, "4": 30, "5": 10 };

/** Confidence from a confidence-level or admiralty-scale information-credibility tag; the lowest when several. */
export function confidenceOfTags(tags: readonly { name: string }[] | undefined): number | undefined {
  let level: number | undefined;
  let admiralty: number | undefined;
  for (const t of tags ?? []) {
    const name = t.name.trim().toLowerCase();
    const c = /^(?:misp:)?confidence-level[=:]"?([a-z-]+)"?$/.exec(name);
    const cv = c ? CONFIDENCE_LEVEL[c[1]!] : undefined;
    if (cv !== undefined) level = Math.min(level ?? 100, cv);
    const a = /^admiralty-scale:information-credibility="?([1-6])"?$/.exec(name);
    const av = a ? ADMIRALTY_CREDIBILITY[a[1]!] : undefined;
    if (av !== undefined) admiralty = Math.min(admiralty ?? 100, av);
  }
  return level ?? admiralty;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(file, [{ path: "", message: e.code === "ENOENT" ? "missing: manifest.json lists this event, and a feed holds each event it lists as <uuid>.json" : `cannot be read: ${e.message}` }]);
  }
  try {
    return JSON.parse(withoutBom(text));
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: notJson(err) }]);
  }
}

const seconds = (t: string | number): number => Number(t) * 1000;

/**
 * The entry an attribute becomes, or why it does not become one. Never puts a plaintext address in a reason.
 * `atHome`: its distribution, or its event's or object's, says it may not leave this member.
 */
function entryOf(a: Attribute, eventTags: readonly { name: string }[] | undefined, description: string, atHome: boolean): IndicatorEntry | { reason: string } {
  if (!a.to_ids) return { reason: "to_ids is false" };
  if (a.type === "link") return { reason: "type link (a reference, not something to detect) is not imported" };
  const kind = MISP_TYPE_KINDS[a.type];
  // one entry per attribute, under its uuid (sightings name it): a pair has no uuid of its own for each value
  if (!kind && a.type.includes("|")) return { reason: `type ${a.type} holds two values in one attribute, which is not imported: have the event carry each as an attribute of its own (e.g. domain and ip-dst)` };
  if (!kind) return { reason: `type ${a.type} has no moneytrail kind` };
  const raw = a.value.trim();
  let value: string;
  switch (kind) {
    case "url":
      if (canonicalUrl(raw) === null) return { reason: "not an http(s) URL" };
      value = raw;
      break;
    case "domain":
      if (!/^[^\s/?#@:]+$/.test(raw)) return { reason: "not a host name" };
      value = raw;
      break;
    case "wallet":
      if (!/^[A-Za-z0-9]+$/.test(raw)) return { reason: "not a wallet address (letters and digits)" };
      value = raw;
      break;
    case "email-sha256": {
      const hashed = emailSha256(raw);
      if (!hashed) return { reason: "not an e-mail address" };
      value = hashed;
      break;
    }
    default:
      if (!isIP(raw.replace(/\/\d{1,3}$/, ""))) return { reason: "not an IP address" };
      value = raw;
  }
  const entry = IndicatorEntry.safeParse({
    id: a.uuid,
    kind,
    value,
    confidence: confidenceOfTags(a.Tag) ?? confidenceOfTags(eventTags) ?? MISP_DEFAULT_CONFIDENCE,
    // an attribute may narrow its event's TLP, never widen it: the stricter of the two holds
    tlp: atHome ? "red" : (tlpOfTags([...(a.Tag ?? []), ...(eventTags ?? [])]) ?? "amber"),
    ...(a.deleted && { revoked: true }),
    description: description.slice(0, 512),
  });
  return entry.success ? entry.data : { reason: `not a valid entry: ${entry.error.issues.map((i) => i.message).join("; ")}` };
}

type MispEvent = z.infer<typeof EventFile>["Event"];
/** An event to import, with what its feed's manifest says of it (a lone event file has none). */
interface Listed {
  ev: MispEvent;
  manifest?: z.infer<typeof Manifest>[string];
}

/** The events of a feed directory, each checked against the manifest that lists it. */
function feedEvents(dir: string): Listed[] {
  const manifestFile = join(dir, "manifest.json");
  if (!existsSync(manifestFile)) throw new ConfigError(manifestFile, [{ path: "", message: "missing: a MISP feed directory holds manifest.json and one <uuid>.json per event" }]);
  const manifestJson = readJson(manifestFile);
  const manifest = Manifest.safeParse(manifestJson);
  if (!manifest.success) throw new ConfigError(manifestFile, zodIssues(manifest.error, manifestJson));
  // keys are UUIDs (checked above), so a key can never name a file outside the directory
  return Object.keys(manifest.data)
    .sort()
    .map((key) => {
      const file = join(dir, `${key}.json`);
      const ev = parseEvent(file, readJson(file));
      if (ev.uuid.toLowerCase() !== key.toLowerCase()) throw new ConfigError(file, [{ path: "Event.uuid", message: `${ev.uuid} is not the event the manifest lists under this file name (${key})` }]);
      return { ev, manifest: manifest.data[key] };
    });
}

function parseEvent(file: string, json: unknown): MispEvent {
  const parsed = EventFile.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error, json));
  return parsed.data.Event;
}

/** One event as MISP exports it from the event's page ("Download as MISP JSON"): {"Event": …}. */
function eventFile(file: string): Listed[] {
  const json = readJson(file);
  // what a case's MISP sightings export writes (mispSighting): a report on attributes, which carries none to import
  if (Array.isArray(json) && json.length && json.every((x) => typeof x === "object" && x !== null && "Sighting" in x))
    throw new UsageError(
      `${file} is MISP sighting JSON (${json.length} sighting${json.length === 1 ? "" : "s"}, as a case's sightings export writes them), not an event: it reports on attributes and holds none to import; post each sighting to MISP's /sightings/add/<attribute_uuid>. --from misp reads sightings on an event's attributes`,
    );
  if (typeof json !== "object" || json === null || !("Event" in json))
    throw new UsageError(
      `${file} is not a MISP event (no "Event" object): --from misp takes one event's JSON export ({"Event": …}) or a MISP feed directory (manifest.json and one <uuid>.json per event); a STIX bundle file is imported with --from stix`,
    );
  return [{ ev: parseEvent(file, json) }];
}

/**
 * A MISP feed directory, or one event's file, as a moneytrail set, with the attributes left out and why (ref: the
 * attribute uuid).
 */
export function importMispFeed(path: string, opts: MispImportOptions = {}): { set: IndicatorSet; skipped: Skipped[]; sightings: SightingsRead } {
  const lone = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  const events = lone ? eventFile(path) : feedEvents(path);
  const entries: IndicatorEntry[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  const tally = new SightingTally();
  const orgs = new Map<string, string>();
  let latest = -Infinity;
  for (const { ev, manifest } of events) {
    const eventTags = ev.Tag ?? manifest?.Tag;
    orgs.set(ev.Orgc.uuid ?? ev.Orgc.name, ev.Orgc.name);
    const ts = ev.timestamp ?? manifest?.timestamp;
    if (ts !== undefined) latest = Math.max(latest, seconds(ts));
    const description = `MISP event ${ev.uuid} (${ev.Orgc.name}): ${ev.info}`;
    const attributes = [
      ...(ev.Attribute ?? []).map((a) => ({ a, atHome: keptHome(ev.distribution, a.distribution) })),
      ...(ev.Object ?? []).flatMap((o) => (o.Attribute ?? []).map((a) => ({ a, atHome: keptHome(ev.distribution, o.distribution, a.distribution) }))),
    ];
    for (const { a, atHome } of attributes) {
      const e = entryOf(a, eventTags, description, atHome);
      const taken = !("reason" in e) && !seen.has(e.id);
      readSightings(a, taken ? [e.id] : [], tally, skipped);
      if ("reason" in e) {
        skipped.push({ ref: a.uuid, reason: `${a.type}: ${e.reason}` });
        continue;
      }
      if (!taken) {
        skipped.push({ ref: a.uuid, reason: "an attribute with this uuid was already imported" });
        continue;
      }
      seen.add(e.id);
      entries.push(e);
    }
  }

  // an event keeps its uuid through MISP's exports of it: the set's id stays the same from one export to the next
  const setId = opts.setId ?? `misp:${lone ? events[0]!.ev.uuid : basename(resolve(path))}`;
  const orgList = [...orgs];
  const publisher =
    opts.publisher ??
    (orgList.length === 1
      ? { id: `misp-org:${orgList[0]![0]}`, name: orgList[0]![1] }
      : orgList.length > 1
        ? { id: `misp-feed:${setId}`, name: `MISP feed: ${orgList.map(([, n]) => n).join(", ")}`.slice(0, 256) }
        : { id: `misp-feed:${setId}` });
  const set = IndicatorSet.safeParse({
    format: FORMAT,
    id: setId,
    publisher,
    version: opts.version ?? 1,
    created: Number.isFinite(latest) ? new Date(latest).toISOString() : new Date(opts.now ? Date.parse(opts.now) : Date.now()).toISOString(),
    entries: tally.onto(entries),
  });
  if (!set.success) throw new ConfigError(path, zodIssues(set.error));
  return { set: set.data, skipped, sightings: tally.summary() };
}

const MispSightingInput = z
  .strictObject({
    /** the attribute the alert cited: an entry imported from a feed has the attribute's uuid as its id */
    attributeUuid: z.string().regex(UUID, "must be a UUID").optional(),
    /** the value MISP knows the attribute by (for an e-mail entry, the hash: MISP then matches on attribute_uuid) */
    value: z.string().min(1).optional(),
    disposition: Disposition,
    /** who reports it: the reviewing member */
    source: z.string().min(1),
    at: z.iso.datetime({ offset: true }),
    /** the decision's own id (a case's): two cases decided at the same time on one attribute stay two sightings */
    decisionId: z.string().min(1).optional(),
  })
  // an alert's indicator ref carries no value (values may be sensitive), so the uuid alone must do
  .refine((s) => s.attributeUuid !== undefined || s.value !== undefined, {
    message: "give attributeUuid or value (or both): MISP finds the attribute by one of them",
    path: ["attributeUuid"],
  });
export type MispSightingInput = z.input<typeof MispSightingInput>;

/** Namespace of moneytrail's MISP sighting uuids: uuidv5("urn:moneytrail:misp", RFC 4122 URL namespace). */
const MISP_SIGHTING_NAMESPACE = uuidv5("urn:moneytrail:misp", NAMESPACE_URL);

/**
 * A sighting as MISP's core format documents it ("Sighting": type, uuid and date_sighting required, source optional):
 * `uuid` is the sighting's own, `attribute_uuid` the sighted attribute's, as MISP writes them in an event's sightings
 * and reads them when it syncs or bulk-saves sightings (one per uuid); the time as `date_sighting` (the format) and
 * `timestamp` (/sightings/add). /sightings/add reads a body's `uuid` as the attribute's: post to
 * /sightings/add/<attribute_uuid>, as PyMISP's add_sighting(sighting, attribute) does.
 */
export interface MispSighting {
  Sighting: {
    uuid: string;
    attribute_uuid?: string;
    value?: string;
    /** "0": a sighting (true positive), "1": a false positive */
    type: "0" | "1";
    source: string;
    /** seconds since 1970, as MISP writes it */
    date_sighting: string;
    timestamp: string;
  };
}

/**
 * A reviewer's decision as a MISP sighting: confirmed → type 0 (sighting), dismissed → type 1 (false positive). Its
 * uuid is made from the decision (attribute, value, disposition, member, time, decision id), so exporting it again
 * gives the same sighting, which MISP keeps once, and any other decision on the attribute a sighting of its own.
 */
export function mispSighting(input: MispSightingInput): MispSighting {
  const s = MispSightingInput.parse(input);
  const instant = new Date(s.at);
  const seconds = String(Math.floor(instant.getTime() / 1000));
  // the time as one instant and the uuid in lower case (as MISP stores it): one decision however they are written
  const name = nameOf("misp-sighting", s.attributeUuid?.toLowerCase() ?? "", s.value ?? "", s.disposition, s.source, instant.toISOString(), s.decisionId ?? "");
  return {
    Sighting: {
      uuid: uuidv5(name, MISP_SIGHTING_NAMESPACE),
      ...(s.attributeUuid && { attribute_uuid: s.attributeUuid }),
      ...(s.value !== undefined && { value: s.value }),
      type: s.disposition === "confirmed" ? "0" : "1",
      source: s.source,
      date_sighting: seconds,
      timestamp: seconds,
    },
  };
}
