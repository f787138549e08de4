// `moneytrail indicators ...`: what a coalition member does with indicator sets: make a signing key, sign a set,
// verify sets against a trust store, look at a set, compare two versions, export it for sharing (hashed, without
// TLP:RED) and import other formats.
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { alsoInDirectory, notJson, readIndicatorSet, setFiles } from "../indicators/index.js";
import { FORMAT, IndicatorSet, Publisher, Signature, indicatorKey, indicatorSetJsonSchema, type IndicatorEntry } from "../indicators/schema.js";
import type { z } from "zod";
import { generateSigningKey, loadPrivateKey, loadTrustStore, publicKeyPem, signSet, signingRefusal, verifySet } from "../indicators/sign.js";
import { RED_NOT_EXPORTED, hashChanges, hashPlaintext, hashedValue, idsNamingSites, plainUrlIds, shareable } from "../indicators/privacy.js";
import { assertNotAllExpired, assertPublishable, assertUrlsHashed, expiredEntries, ids, latestValidUntil, plainDomainNote, publishSet, refusalOnTopic, wholeSetExpired } from "../indicators/distribution.js";
import { StixImportError, importStixBundle, toStixExport, type Skipped, type StixImportOptions } from "../indicators/stix.js";
import { importMispFeed } from "../indicators/misp.js";
import { sightingsNote, type SightingsRead } from "../indicators/sightings.js";
import { importCsv } from "../indicators/csv.js";
import { brokersFrom, reachableKafka } from "../source/kafka.js";
import { createLogger } from "../lib/log.js";
import { ConfigError, UsageError } from "../lib/errors.js";
import { writeOutput } from "./output.js";
import { sameFile } from "./replay.js";
import { withoutBom } from "../decode/decode.js";
import { setting, wholeNumberFlag } from "../config/run.js";

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
/** A key's trust-store entry as printed: keygen's and public-key's, byte for byte, for one key. */
const trustEntry = (keyId: string, publisher: string, publicKey: string) => json({ keyId, publisher, publicKey });
/**
 * Where the notes tell a member to write the signed copy of `file`: named after it, so that following a note never
 * replaces another file (a fixed signed.json may be the full set, TLP:RED entries and all, that was exported).
 */
const signedCopy = (file: string) => `${file.replace(/\.json$/i, "")}.signed.json`;
/** To the file (writeOutput), else to stdout. */
function write(out: string | undefined, text: string, flags?: { mode: number; flag: string }): void {
  if (!out) return void process.stdout.write(text);
  writeOutput(out, text, flags);
}

/**
 * An entry as it matches: the value in the form it is looked up in (a URL's canonical form, a hash in lowercase),
 * times as instants (with or without milliseconds, in any offset), not revoked when the field is left out.
 */
const asMatched = (e: IndicatorEntry) => ({
  kind: e.kind,
  value: indicatorKey(e.kind, e.value),
  confidence: e.confidence,
  tlp: e.tlp,
  validFrom: e.validFrom && Date.parse(e.validFrom),
  validUntil: e.validUntil && Date.parse(e.validUntil),
  revoked: e.revoked === true,
  description: e.description,
  // partners' sightings, a new import's news (more seen, a false positive): compared as counts and an instant
  sightings: e.sightings && [e.sightings.seen, e.sightings.falsePositive, e.sightings.expired, e.sightings.organisations, Date.parse(e.sightings.lastSeen)].join(" "),
});

/** Entry-level differences between two versions of a set, by entry id; a field differs when it matches differently. */
export function diffSets(a: IndicatorSet, b: IndicatorSet): { added: string[]; removed: string[]; changed: { id: string; fields: string[] }[] } {
  const before = new Map(a.entries.map((e) => [e.id, asMatched(e)]));
  const after = new Map(b.entries.map((e) => [e.id, asMatched(e)]));
  const fields = (x: ReturnType<typeof asMatched>, y: ReturnType<typeof asMatched>) =>
    (Object.keys(x) as (keyof typeof x)[]).filter((f) => x[f] !== y[f]);
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed: [...after].flatMap(([id, e]) => {
      const old = before.get(id);
      const f = old ? fields(old, e) : [];
      return f.length ? [{ id, fields: [...f] }] : [];
    }),
  };
}

/**
 * A set's signature as stats shows it: the key id is the set's own claim, so it is said verified only against a
 * trust store, and otherwise said not checked (a person reading "signed with" would take it as checked).
 */
function signatureOf(set: IndicatorSet, trust: ReturnType<typeof loadTrustStore> | undefined) {
  if (!set.signature) return null;
  if (!trust) return { keyId: set.signature.keyId, verified: null, note: "not checked: the key id is the set's own claim; give --trust FILE to verify it" };
  const v = verifySet(set, trust);
  return v.ok ? { keyId: set.signature.keyId, verified: true } : { keyId: set.signature.keyId, verified: false, note: v.reason };
}

/** Counts a person wants before trusting or sharing a set. */
export function setStats(set: IndicatorSet, at = Date.now(), trust?: ReturnType<typeof loadTrustStore>) {
  const count = (key: (e: IndicatorEntry) => string) => {
    const m: Record<string, number> = {};
    for (const e of set.entries) m[key(e)] = (m[key(e)] ?? 0) + 1;
    return m;
  };
  return {
    id: set.id,
    publisher: set.publisher.id,
    version: set.version,
    created: set.created,
    signature: signatureOf(set, trust),
    entries: set.entries.length,
    byKind: count((e) => e.kind),
    byTlp: count((e) => e.tlp ?? "not given"),
    revoked: set.entries.filter((e) => e.revoked).length,
    expired: set.entries.filter((e) => e.validUntil && Date.parse(e.validUntil) <= at).length,
    notYetValid: set.entries.filter((e) => e.validFrom && Date.parse(e.validFrom) > at).length,
    sightings: sightingStats(set.entries),
  };
}

/** Partners' sightings read at import (entries' `sightings`): the entries reported false positives are the ones to look at. */
function sightingStats(entries: readonly IndicatorEntry[]) {
  const sighted = entries.flatMap((e) => (e.sightings ? [{ id: e.id, ...e.sightings }] : []));
  const sum = (k: "seen" | "falsePositive" | "expired") => sighted.reduce((n, s) => n + s[k], 0);
  return {
    entries: sighted.length,
    seen: sum("seen"),
    falsePositive: sum("falsePositive"),
    expired: sum("expired"),
    reportedFalsePositive: sighted.filter((s) => s.falsePositive > 0).map((s) => s.id),
  };
}

/**
 * An export is what leaves this member: a page's address in it is read by whoever receives it, and publish refuses it
 * (assertUrlsHashed); a site's name at TLP:AMBER too (plainDomainNote). Said, naming the entries and not the values,
 * so that the member chooses --hash knowingly; returns how many url entries.
 */
function plainTextNotes(exported: readonly IndicatorEntry[]): number {
  const domains = plainDomainNote(exported);
  if (domains) process.stderr.write(domains);
  const plain = plainUrlIds(exported);
  if (!plain.length) return 0;
  const one = plain.length === 1;
  process.stderr.write(
    `note: ${plain.length} url ${one ? "entry" : "entries"} in plain text (${ids(plain)}): whoever receives this export reads the address of the page${one ? "" : "s"}, and publish refuses ${one ? "it" : "them"}; give --hash to share ${one ? "it as a SHA-256 hash" : "them as SHA-256 hashes"} that match${one ? "es" : ""} the same\n`,
  );
  return plain.length;
}

/**
 * verify's word on a set that verifies but whose every live entry has expired: "ok" alone reads as a set to load, which
 * then matches no event from now on (only older events, in a replay or backtest).
 */
function expiredNote(set: IndicatorSet): string {
  const expired = wholeSetExpired(set, Date.now());
  if (!expired.length) return "";
  return `         note: every entry not revoked has expired (${expired.length}: ${ids(expired.map((e) => e.id))}; the latest validUntil ${latestValidUntil(expired)}): it matches events dated before then (a replay or backtest of older events), none from now on; ask ${set.publisher.id} for its current version\n`;
}

/** The sets a command looks at: a directory with none is refused, as "nothing refused" would read as all verified. */
export function someSetFiles(path: string): string[] {
  const files = setFiles(path);
  if (!files.length) throw new UsageError(`${path}: no *.json indicator set files in this directory: give a set file or a directory of them`);
  return files;
}

/**
 * A bundle that is not JSON or not importable is the file's fault: said with its name, without a stack; a file in
 * another format moneytrail reads is named as such, rather than listed as all the ways it is no bundle.
 */
function importStixFile(file: string, opts: StixImportOptions): ReturnType<typeof importStixBundle> {
  try {
    const json = bundleJson(file, readFileSync(file, "utf8"));
    const known = otherFormat(file, json, "stix");
    if (known) throw known;
    const made = importStixBundle(json, opts);
    // a bundle of sightings alone (a case's sightings export) would make an empty set without a word
    if (!made.set.entries.length && made.sightings.notKept)
      throw new UsageError(
        `${file} holds ${made.sightings.notKept} sighting${made.sightings.notKept === 1 ? "" : "s"} and no indicator: a member's report of what it saw of indicators (such as a case's sightings export), not a set; nothing was written. Its sightings are read onto the entries of the indicators they name when a bundle carries both`,
      );
    return made;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EISDIR") throw new UsageError(`${file} is a directory: --from stix takes a STIX bundle file (a MISP feed directory is imported with --from misp)`);
    throw err instanceof StixImportError ? new UsageError(`${file}: ${err.message}`) : err;
  }
}

/** What each --from reads, as a refusal names the others. */
const FORMATS = { stix: "a STIX 2.1 bundle", csv: "a spreadsheet's CSV export", misp: "a MISP feed directory or event", legacy: "the engine's earlier files" } as const;
type Format = keyof typeof FORMATS;
const FLAGS: Record<Format, string> = { stix: "stix", csv: "csv (and --set-id, --publisher)", misp: "misp", legacy: "legacy" };
/** "import … with --from …" for each format but the one a file was read as. */
const otherImports = (from: Format): string =>
  `import ${(Object.keys(FORMATS) as Format[])
    .filter((f) => f !== from)
    .map((f) => `${FORMATS[f]} with --from ${FLAGS[f]}`)
    .join(", ")}`;

/**
 * A JSON document of a format moneytrail reads other than `from`'s, as the refusal to give in place of why it is not
 * `from`'s (a list of the ways it is no bundle, or of "columns" of its first line); undefined for any other.
 */
function otherFormat(file: string, json: unknown, from: Format): UsageError | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const set = "format" in json ? IndicatorSet.safeParse(json).data : undefined;
  if (set) return new UsageError(`${file} is already a moneytrail indicator set (format v1: set ${set.id} of ${set.publisher.id}): it needs no import; use it as it is`);
  const [what, format] =
    "Event" in json ? ["a MISP event", "misp"] : "type" in json && json.type === "bundle" ? ["a STIX bundle", "stix"] : "entries" in json && "source" in json ? ["in the engine's earlier format", "legacy"] : [];
  const readAs = { stix: "a STIX bundle", csv: "CSV", misp: "a MISP event", legacy: "the engine's earlier format" }[from];
  return format && format !== from ? new UsageError(`${file} is ${what}, not ${readAs}: import it with --from ${format}`) : undefined;
}

/** The file's JSON; a file that is not JSON (a CSV export, a bundle a line) is said so, with the formats import reads. */
function bundleJson(file: string, text: string): unknown {
  try {
    return JSON.parse(withoutBom(text));
  } catch (err) {
    throw new UsageError(`${file}: ${notJson(err)}: read as a STIX bundle (--from stix, the default), which is one JSON object; ${otherImports("stix")}`);
  }
}

/**
 * A CSV file that is JSON, or JSON a line (NDJSON), is said to be that, with the --from that reads it: read as CSV,
 * its first line split at each comma into "columns", each refused on its own.
 */
function assertNotJson(file: string): void {
  const text = withoutBom(readFileSync(file, "utf8"));
  if (!/^\s*[[{]/.test(text)) return;
  const said = `read as ${FORMATS.csv} (--from csv), which is a header row naming the columns, then one entry a row; ${otherImports("csv")}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.every((l) => /^\s*[[{]/.test(l) && parses(l))) throw new UsageError(`${file} is NDJSON (a JSON value a line), not CSV: ${said}`);
    return;
  }
  throw otherFormat(file, json, "csv") ?? new UsageError(`${file} is JSON, not CSV: ${said}`);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A key id or publisher given to keygen or sign, held to the format's rule for ids: one it refuses would be written into
 * the key's entry and the signed set, which nobody could then read. Refused without repeating it (it may hold a control
 * character).
 */
function idOption(flag: string, value: string, schema: z.ZodType<string>): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** A set id given on the command line, held to the format's rule for ids. */
function setIdFlag(value: string): string {
  const parsed = IndicatorSet.shape.id.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError("a set id is 1 to 128 characters");
  return parsed.data;
}

/**
 * An earlier file as v1, under the id and version asked for: every earlier file reads as version 1, so without
 * --set-version a newer export of it would be passed over by subscribers holding the last one.
 */
function importLegacyFile(file: string, opts: { setId?: string; version: number; publisher?: IndicatorSet["publisher"] }): IndicatorSet {
  const set = readIndicatorSet(file);
  // readIndicatorSet takes v1 too; given another id or version, a v1 set's signature would no longer match it
  if ("format" in (JSON.parse(withoutBom(readFileSync(file, "utf8"))) as object))
    throw new UsageError(`${file} is already a format v1 set (${set.id} version ${set.version}): --from legacy converts the engine's earlier files (id, source, created, entries); use the set as it is, or change its version and sign it again`);
  return { ...set, id: opts.setId ?? set.id, version: opts.version, publisher: opts.publisher ?? set.publisher };
}

export function indicatorCommands(program: Command): void {
  const ind = program.command("indicators").description("coalition indicator sets: keys, signatures, sharing (format v1, see README)");

  ind
    .command("hash")
    .description(
      "the hashed entry (kind and value) for each plain URL, domain or e-mail address read from stdin, one a line, in the canonical form matching hashes: to put in a set by hand; stdin keeps the values out of the shell's history",
    )
    .addOption(new Option("--kind <kind>", "what the lines hold").choices(["url", "domain", "email"]).makeOptionMandatory())
    // values on the command line are refused with where they go (commander's "too many arguments" did not say)
    .allowExcessArguments()
    .action(async (o: { kind: "url" | "domain" | "email" }, cmd: Command) => {
      if (cmd.args.length)
        throw new UsageError(
          `indicators hash reads the values from stdin, one a line, not from the command line (which keeps them in the shell's history): e.g. moneytrail indicators hash --kind ${o.kind} < ${o.kind === "email" ? "addresses" : `${o.kind}s`}.txt`,
        );
      let text = "";
      for await (const chunk of process.stdin) text += chunk;
      let refused = 0;
      for (const [i, line] of withoutBom(text).split(/\r?\n/).entries()) {
        if (!line.trim()) continue;
        const h = hashedValue(o.kind, line);
        if ("reason" in h) {
          refused++;
          process.stderr.write(`line ${i + 1}: ${h.reason}\n`);
        } else process.stdout.write(`${h.kind} ${h.value}\n`);
      }
      if (refused) throw new UsageError(`${refused} line${refused === 1 ? "" : "s"} not hashed (said above): correct ${refused === 1 ? "it" : "them"} and hash again`);
    });

  ind
    .command("keygen")
    .description("a new Ed25519 signing key: the private key to a file (keep it secret), the trust-store entry for subscribers on stdout (printed again later by indicators public-key)")
    .requiredOption("--key-id <id>", "name of the key, e.g. hotline-a-2026")
    .requiredOption("--publisher <id>", "the publisher id the key signs for, e.g. member:hotline-a")
    .requiredOption("--private-key-out <file>", "where to write the private key (PEM)")
    .action((o: { keyId: string; publisher: string; privateKeyOut: string }) => {
      idOption("--key-id", o.keyId, Signature.shape.keyId);
      idOption("--publisher", o.publisher, Publisher.shape.id);
      const k = generateSigningKey();
      write(o.privateKeyOut, k.privateKeyPem, { mode: 0o600, flag: "wx" });
      process.stdout.write(trustEntry(o.keyId, o.publisher, k.publicKeyPem));
    });

  ind
    .command("public-key")
    .description("the trust-store entry keygen printed, again, from the key's private key file: to give a partner or rebuild a trust store (the private key is never printed)")
    .requiredOption("--private-key <file>", "the private key (PEM) keygen wrote")
    // the private key file names neither
    .requiredOption("--key-id <id>", "the key's id, as given to keygen (a set it signed names it: signature.keyId)")
    .requiredOption("--publisher <id>", "the publisher id the key signs for (publisher.id of the sets it signed)")
    .action((o: { privateKey: string; keyId: string; publisher: string }) => {
      idOption("--key-id", o.keyId, Signature.shape.keyId);
      idOption("--publisher", o.publisher, Publisher.shape.id);
      process.stdout.write(trustEntry(o.keyId, o.publisher, publicKeyPem(loadPrivateKey(o.privateKey, "nothing was printed"))));
    });

  ind
    .command("sign")
    .description("sign a set with the publisher's private key")
    .argument("<set>", "indicator set file")
    .requiredOption("--key-id <id>", "the key's id in subscribers' trust stores")
    .requiredOption("--private-key <file>", "the private key (PEM)")
    .option("--out <file>", "where to write the signed set (default: stdout)")
    .option("--trust <file>", "trust store: refuse to sign what subscribers holding it would refuse (env MT_TRUST_STORE)")
    .action((file: string, o: { keyId: string; privateKey: string; out?: string; trust?: string }) => {
      idOption("--key-id", o.keyId, Signature.shape.keyId);
      const trustFile = o.trust ?? process.env.MT_TRUST_STORE;
      const trust = trustFile ? loadTrustStore(trustFile) : undefined;
      const set = readIndicatorSet(file);
      const key = loadPrivateKey(o.privateKey, "nothing was signed");
      const refusal = trust && signingRefusal(set, o.keyId, key, trust, trustFile!);
      if (refusal) throw new UsageError(`${file}: ${refusal}; nothing was signed`);
      write(o.out, json(signSet(set, o.keyId, key)));
    });

  ind
    .command("verify")
    .description("check sets against a trust store; a set that does not verify is refused with the reason (exit 2)")
    .argument("<path>", "a set file or a directory of them")
    .requiredOption("--trust <file>", "trust store: the publishers' public keys")
    .action((path: string, o: { trust: string }) => {
      const trust = loadTrustStore(o.trust);
      let bad = 0;
      // a directory is loaded as a whole (--indicators, MT_INDICATORS), which refuses two files under one set id
      const ids = new Map<string, { file: string; set: IndicatorSet }>();
      for (const file of someSetFiles(path)) {
        let set: IndicatorSet;
        try {
          set = readIndicatorSet(file);
        } catch (err) {
          // one unreadable set is refused like one that fails to verify; the others are still checked
          if (!(err instanceof ConfigError)) throw err;
          bad++;
          process.stdout.write(`REFUSED  ${err.message.replaceAll("\n", "\n         ")}\n`);
          continue;
        }
        const other = ids.get(set.id);
        if (other) {
          bad++;
          process.stdout.write(`REFUSED  ${file}: id: ${alsoInDirectory(set, other)}\n`);
          continue;
        }
        ids.set(set.id, { file, set });
        const v = verifySet(set, trust);
        if (v.ok) process.stdout.write(`ok       ${file}: ${set.id} version ${set.version} by ${set.publisher.id}, signed with ${v.key.keyId}\n${expiredNote(set)}`);
        else {
          bad++;
          process.stdout.write(`REFUSED  ${file}: signature: ${v.reason}\n`);
        }
      }
      if (bad) process.exitCode = 2;
    });

  ind
    .command("stats")
    .description("entries by kind and TLP, revoked, expired, not yet valid, signature")
    .argument("<path>", "a set file or a directory of them")
    .option("--trust <file>", "trust store: the publishers' public keys, to say whether each signature verifies (without it, not checked)")
    .action((path: string, o: { trust?: string }) => {
      const trust = o.trust === undefined ? undefined : loadTrustStore(o.trust);
      write(undefined, json(someSetFiles(path).map((f) => ({ file: f, ...setStats(readIndicatorSet(f), Date.now(), trust) }))));
    });

  ind
    .command("diff")
    .description("what changed between two versions of a set, by entry id")
    .argument("<old>")
    .argument("<new>")
    .action((a: string, b: string) => {
      const [x, y] = [readIndicatorSet(a), readIndicatorSet(b)];
      // still compared (a set against its import under another id is a fair question), but said: entry ids of two
      // sets say nothing about each other, and a subscriber never takes one set for a version of the other
      if (x.id !== y.id || x.publisher.id !== y.publisher.id)
        process.stderr.write(`note: ${a} is set ${x.id} of ${x.publisher.id}, ${b} is set ${y.id} of ${y.publisher.id}: not two versions of one set; entries are compared by id all the same\n`);
      const side = (s: IndicatorSet) => ({ id: s.id, publisher: s.publisher.id, version: s.version });
      write(undefined, json({ from: side(x), to: side(y), ...diffSets(x, y) }));
    });

  ind
    .command("export")
    .description("a set as it may leave this member: without TLP:RED entries, optionally hashed; or the format's JSON Schema")
    .argument("[set]", "indicator set file (not needed for --format json-schema)")
    .addOption(new Option("--format <format>", "v1 | stix (a STIX 2.1 bundle) | json-schema").choices(["v1", "stix", "json-schema"]).default("v1"))
    .option("--hash", "replace url and domain values with the SHA-256 of their canonical form (sign again afterwards)")
    .option("--include-revoked", "stix: revoked entries go out with revoked: true, so that partners' tools withdraw them (default: left out)")
    .option("--out <file>", "where to write (default: stdout)")
    .action((file: string | undefined, o: { format: string; hash?: boolean; includeRevoked?: boolean; out?: string }) => {
      if (o.format === "json-schema") return write(o.out, json(indicatorSetJsonSchema()));
      if (!file) throw new UsageError(`give the set file to export (moneytrail indicators export SET.json --format ${o.format})`);
      // the member's own copy is the only one holding what the export leaves out
      if (o.out && sameFile(file, o.out))
        throw new UsageError(
          `--out ${o.out} is the set file ${file}: the export would replace the set it is made from, and what an export leaves out (TLP:RED entries; with --hash, plain values and descriptions) would be lost; give another --out file`,
        );
      const original = readIndicatorSet(file);
      const naming = o.hash ? idsNamingSites(original) : [];
      if (naming.length)
        throw new UsageError(
          `${file}: ${naming.join(", ")}: the entry's id holds the name of the site its value is, which --hash would send in plain text beside the hash: give each an id that names nothing (such as a-17), and keep it from one version to the next; nothing was written`,
        );
      if (o.format === "stix") {
        // toStixExport leaves TLP:RED entries out itself, and lists them as not exported
        const exported = o.hash ? hashPlaintext(original) : original;
        const { bundle, skipped } = toStixExport(exported, { includeRevoked: o.includeRevoked });
        for (const s of skipped) process.stderr.write(`not exported: ${s.ref}: ${s.reason}\n`);
        write(o.out, json(bundle));
        return void plainTextNotes(exported.entries.filter((e) => !skipped.some((s) => s.ref === e.id)));
      }
      const shared = shareable(original);
      const set = o.hash ? hashPlaintext(shared) : shared;
      write(o.out, json(set));
      // as the STIX export names them: a member handing a partner its list learns what stayed home
      for (const e of original.entries) if (e.tlp === "red") process.stderr.write(`not exported: ${e.id}: ${RED_NOT_EXPORTED}\n`);
      const plain = plainTextNotes(set.entries);
      // subscribers with a trust store refuse an unsigned set, and publish refuses one without --unsigned
      if (original.signature && !set.signature) {
        const kept = original.entries.filter((e) => e.tlp !== "red");
        const changes = [...(kept.length < original.entries.length ? ["TLP:RED entries left out"] : []), ...hashChanges({ ...original, entries: kept }, set)].join(", ");
        process.stderr.write(
          `note: the export is unsigned: its content changed (${changes}), so the signature of ${file} no longer covers it; sign it before ${plain ? "sharing it" : "publishing"}: moneytrail indicators sign ${o.out ?? "EXPORT.json"} --key-id ${original.signature.keyId} --private-key KEY.pem --out ${signedCopy(o.out ?? "EXPORT.json")}${plain ? "" : `, then moneytrail indicators publish ${signedCopy(o.out ?? "EXPORT.json")}`}\n`,
        );
      }
    });

  ind
    .command("publish")
    .description("publish a set to the coalition's compacted topic; every running consumer takes a newer version live")
    .argument("<set>", "indicator set file (signed; a set with TLP:RED entries is refused)")
    .option("--brokers <list>", "Kafka brokers (env KAFKA_BROKERS)")
    .option("--topic <topic>", "the indicator-set topic (env MT_INDICATOR_TOPIC, default mt.indicator-sets)")
    .option("--unsigned", "publish a set that is not signed (subscribers with a trust store refuse it)")
    .option("--trust <file>", "trust store: refuse a set that subscribers holding it would refuse (env MT_TRUST_STORE)")
    .action(async (file: string, o: { brokers?: string; topic?: string; unsigned?: boolean; trust?: string }) => {
      const brokers = brokersFrom(o.brokers);
      const topic = setting("indicatorTopic", { name: "--topic", value: o.topic });
      const trustFile = o.trust ?? process.env.MT_TRUST_STORE;
      const trust = trustFile ? loadTrustStore(trustFile) : undefined;
      const set = readIndicatorSet(file);
      // before connecting
      // plain urls first: the export --hash it asks for also leaves out what assertPublishable refuses
      assertUrlsHashed(set, file);
      assertPublishable(set, file);
      // a compacted topic keeps one version per set: an unsigned copy would also replace the signed one for later readers
      if (!set.signature && !o.unsigned)
        throw new UsageError(
          `${file} is not signed, and subscribers with a trust store refuse an unsigned set: sign it (moneytrail indicators sign ${file} --key-id KEY_ID --private-key KEY.pem --out ${signedCopy(file)}) and publish that, or give --unsigned to publish it as it is`,
        );
      // checked as a subscriber checks it: a set changed after signing would be refused by every subscriber, yet on the
      // compacted topic it would replace the good version for the processes started after compaction
      const v = trust && verifySet(set, trust);
      if (v && !v.ok)
        throw new ConfigError(file, [{ path: "signature", message: v.reason }], `Subscribers holding ${trustFile} would refuse this set, and on the compacted topic it would replace the version they hold: sign it again (moneytrail indicators sign ${file} --key-id KEY_ID --private-key KEY.pem --out ${signedCopy(file)}) and publish that; nothing was published.`);
      assertNotAllExpired(set, file, Date.now());
      // after the refusals: said of a set that goes out
      const domains = plainDomainNote(set.entries, file);
      if (domains) process.stderr.write(domains);
      if (!trust && set.signature)
        process.stderr.write(`note: the signature of ${file} was not checked (no --trust or MT_TRUST_STORE): a set changed after signing is refused by every subscriber with a trust store; give --trust to check it before it goes out\n`);
      const kafka = await reachableKafka(brokers, "moneytrail-indicators", createLogger("warn"));
      const refusal = await refusalOnTopic(kafka, topic, set, trust);
      if (refusal) throw new UsageError(`${file}: ${refusal}; nothing was published`);
      await publishSet(kafka, topic, set, file);
      process.stdout.write(`published ${set.id} version ${set.version} (${set.entries.length} entries) to ${topic}\n`);
    });

  ind
    .command("import")
    .description("convert a set from another format to format v1")
    .argument("<file>")
    .addOption(
      new Option(
        "--from <format>",
        "stix (a STIX 2.1 bundle file) | misp (a MISP feed directory, or one event's JSON export) | legacy (the engine's earlier files) | csv (a spreadsheet's export: a header row naming the columns kind, value, confidence and any of id, tlp, validFrom, validUntil, revoked, description; with --set-id and --publisher)",
      )
        .choices(["stix", "misp", "legacy", "csv"])
        .default("stix"),
    )
    .option("--set-id <id>", "id of the set made (default: the bundle's, the feed's, the MISP event's or the earlier file's)", setIdFlag)
    .option("--set-version <n>", "version of the set made: a subscriber takes a set only when its version is higher than the one in force", wholeNumberFlag(1), 1)
    .option("--publisher <id>", "publisher of the set made, e.g. the sender's member id (default: the bundle's creator, the feed's organisation or the earlier file's source)")
    .option("--out <file>", "where to write (default: stdout)")
    .action((file: string, o: { from: string; setId?: string; setVersion: number; publisher?: string; out?: string }) => {
      if (o.out && sameFile(file, o.out)) throw new UsageError(`--out ${o.out} is the file imported, ${file}: the set would replace it; give another --out file`);
      const publisher = o.publisher === undefined ? undefined : { id: idOption("--publisher", o.publisher, Publisher.shape.id) };
      const opts = { setId: o.setId, version: o.setVersion, publisher };
      let made: { set: IndicatorSet; skipped: Skipped[]; sightings?: SightingsRead };
      if (o.from === "csv") {
        if (!o.setId || !publisher) throw new UsageError("--from csv needs --set-id and --publisher (a CSV file names neither): e.g. --set-id bank-b-list --publisher member:bank-b");
        assertNotJson(file);
        made = { set: importCsv(file, { ...opts, setId: o.setId, publisher }), skipped: [] };
      } else if (o.from === "legacy") made = { set: importLegacyFile(file, opts), skipped: [] };
      else if (o.from === "stix") made = importStixFile(file, opts);
      else made = importMispFeed(file, opts);
      for (const s of made.skipped) process.stderr.write(`not imported: ${s.ref}: ${s.reason}\n`);
      write(o.out, json({ ...made.set, format: FORMAT }));
      if (made.sightings) process.stderr.write(sightingsNote(made.sightings, o.from === "misp" ? "attributes" : "indicators"));
      // a date typed wrong in a member's list goes through export, sign and publish without a word, and never matches
      const expired = expiredEntries(made.set, Date.now());
      if (expired.length)
        process.stderr.write(
          `note: ${expired.length} ${expired.length === 1 ? "entry" : "entries"} had expired before this import (${ids(expired.map((e) => e.id))}; the latest validUntil ${latestValidUntil(expired)}): ${expired.length === 1 ? "it" : "they"} will never match; if a date is wrong, correct it and import again\n`,
        );
      // a bundle is an envelope: its id names this delivery, not the sender's list
      if (o.from === "stix" && !o.setId && made.set.id.startsWith("stix:bundle--"))
        process.stderr.write(
          `note: the set's id, ${made.set.id}, is the bundle's, which the sender's tool makes anew for each bundle: the next bundle imported so would be another set beside this one, and the entries it drops or revokes would still match from this one; give --set-id (the same for each import from this sender, e.g. --set-id partner-stix) and a --set-version higher at each import\n`,
        );
      if (o.from === "stix" && !publisher && made.set.publisher.id.startsWith("stix:bundle--"))
        process.stderr.write(
          `note: the set's publisher, ${made.set.publisher.id}, is the bundle's id (its indicators name no creator), which the sender's tool makes anew for each bundle: the next import would be another publisher's set; give --publisher with the sender's member id (e.g. --publisher member:partner-b)\n`,
        );
    });
}
