// Indicator sets over Kafka: publishers write each set to a compacted topic keyed by publisher and set id, so the
// topic holds the latest version of every set; every consumer process reads it from the start with a group of its
// own and puts a verified, newer version in force live. A set id belongs to the publisher whose set is in force
// under it; a release older than one in force before, or of its version with other content (both remembered across
// restarts with a VersionFloor), is refused.
// TLP:RED entries never reach the topic.
import { randomUUID } from "node:crypto";
import { sha256Hex } from "../lib/hash.js";
import { CompressionTypes, type Admin, type Consumer, type Kafka } from "kafkajs";
import { INDICATOR_SET_MAX_BYTES, parseAnyIndicatorSet, type IndicatorEntry, type IndicatorSet } from "./schema.js";
import { signedBytes, trustedKey, verifySet, type TrustStore } from "./sign.js";
import { amberPlainDomainIds, hashPlaintext, hashedWithDescription, plainUrlIds, shareable } from "./privacy.js";
import { UsageError, zodIssues } from "../lib/errors.js";
import { readTopicRange } from "../source/kafka-range.js";
import { ensureTopics, holdingRefused, skippedReason, type HeldBatch, type SkippedLookup } from "../source/kafka.js";

/**
 * A set travels whole in one message, and a member's list of URLs runs to megabytes (20k URLs: 2.5 MB of JSON), past
 * the broker's default of 1 MB a message: the topic takes this much a message, compressed.
 */
export const INDICATOR_TOPIC_MAX_BYTES = 32 * 1024 * 1024;

export async function ensureIndicatorTopic(admin: Admin, topic: string): Promise<void> {
  await ensureTopics(admin, [{ topic, partitions: 1, config: { "cleanup.policy": "compact", "max.message.bytes": String(INDICATOR_TOPIC_MAX_BYTES) } }]);
}

/** Entry ids as a refusal or a note names them: the first five. */
export const ids = (list: string[]) => `${list.slice(0, 5).join(", ")}${list.length > 5 ? ", ..." : ""}`;

/**
 * Refuses a set with TLP:RED entries, which never leave the member, or with hashed entries that carry a description
 * (plain text beside the hash), saying how to share the rest.
 */
export function assertPublishable(set: IndicatorSet, file = `set ${set.id}`): void {
  const red = set.entries.filter((e) => e.tlp === "red").map((e) => e.id);
  if (red.length)
    throw new UsageError(`${file} has TLP:RED entries (${ids(red)}), which never leave this member: export it (moneytrail indicators export drops them), sign that and publish it`);
  const described = hashedWithDescription(set);
  if (described.length)
    throw new UsageError(
      `${file} has entries of hashed kinds with a description (${ids(described)}), which would travel in plain text beside the hash and may name what it hides: export it (moneytrail indicators export leaves such descriptions out), sign that and publish it`,
    );
}

/**
 * Refuses a set with `url` entries in plain text (revoked ones too: the address travels all the same): every member's
 * consumer reads the topic, banks among them, and an abuse page's address must not reach them when its hash matches
 * the same. `indicators publish` checks this; publishSet does not, as the topic also carries other tools' sets.
 */
export function assertUrlsHashed(set: IndicatorSet, file: string): void {
  const plain = plainUrlIds(set.entries);
  if (plain.length)
    throw new UsageError(
      `${file} has url entries in plain text (${ids(plain)}), which would give every member reading the topic the address of the page: export it with --hash (moneytrail indicators export ${file} --hash --out EXPORT.json: url and domain values become SHA-256 hashes that match the same), sign that and publish it`,
    );
}

/**
 * What `indicators publish` and `indicators export` (without --hash) say of plain `domain` entries at TLP:AMBER
 * (revoked ones too, as for urls): whoever reads the topic or receives the export gets the site's name, which a
 * domain-sha256 hash would match as well (the site and its subdomains). Not refused, unlike a plain url: the name lets
 * members find hosts drawn like it (look-alikes), which a hash hides, and AMBER allows members to read it on a need to
 * know. `file`: publish's set, or none for an export. Undefined when there are none.
 */
export function plainDomainNote(entries: readonly IndicatorEntry[], file?: string): string | undefined {
  const plain = amberPlainDomainIds(entries);
  if (!plain.length) return undefined;
  const one = plain.length === 1;
  const [readers, toHash, goes] = file
    ? ["every member reading the topic gets", `to send hashes, export it with --hash (moneytrail indicators export ${file} --hash --out EXPORT.json), sign that and publish it`, "publishing it as it is"]
    : ["whoever receives this export reads", `give --hash to share ${one ? "it as a hash" : "them as hashes"}`, "exported as it is"];
  return (
    `note: ${file ? `${file} has ` : ""}${plain.length} domain ${one ? "entry" : "entries"} in plain text at TLP:AMBER or AMBER+STRICT (${ids(plain)}): ${readers} the site's name. ` +
    `A domain-sha256 hash matches the same site and its subdomains: ${toHash}. ` +
    `Keep a domain plain only for members to find hosts drawn like it (look-alikes, which a hash hides), and mark it TLP:GREEN if every member may read its name; ${goes}\n`
  );
}

/** A set's entries not revoked whose validUntil is at or before `now`: they match nothing from then on. */
export const expiredEntries = (set: IndicatorSet, now: number): IndicatorSet["entries"] =>
  set.entries.filter((e) => !e.revoked && e.validUntil !== undefined && Date.parse(e.validUntil) <= now);

/** The latest validUntil of entries that all have one (expiredEntries'). */
export const latestValidUntil = (entries: IndicatorSet["entries"]): string | undefined =>
  entries.reduce((a, b) => (Date.parse(b.validUntil!) > Date.parse(a.validUntil!) ? b : a)).validUntil;

/** The expired entries when every entry not revoked has expired by `now`, so that the set matches nothing from then on; else none. */
export function wholeSetExpired(set: IndicatorSet, now: number): IndicatorSet["entries"] {
  const expired = expiredEntries(set, now);
  return expired.length && expired.length === set.entries.filter((e) => !e.revoked).length ? expired : [];
}

/**
 * Refuses a set whose every entry not revoked has expired by `now` (epoch ms): subscribers take a new version in place
 * of the one in force, so such a set (a validUntil a year early) withdraws all the set lists. Expired entries beside
 * live ones are a set's history and go out unremarked; revoked ones are withdrawn on purpose; a set of revoked entries
 * only is a withdrawal, not refused.
 */
export function assertNotAllExpired(set: IndicatorSet, file: string, now: number): void {
  const expired = wholeSetExpired(set, now);
  if (!expired.length) return;
  const latest = latestValidUntil(expired);
  throw new UsageError(
    `${file}: every entry of set ${set.id} that is not revoked has expired (${expired.length}: ${ids(expired.map((e) => e.id))}; the latest validUntil ${latest}): subscribers would take version ${set.version} in place of the version in force and match none of them. ` +
      "To withdraw entries, mark them revoked: true; if a date is wrong, correct it, sign the set again and publish that; nothing was published",
  );
}

/**
 * The topic's message key: publisher and set id, so that compaction keeps each publisher's latest version apart and
 * another member's set under the same id cannot erase this one from the topic. A JSON pair: no two pairs share a key.
 */
export const topicKey = (set: IndicatorSet): string => setKey(set.publisher.id, set.id);
export const setKey = (publisher: string, setId: string): string => JSON.stringify([publisher, setId]);

/** ensureIndicatorTopic on an admin client of its own, for the commands that have none. */
async function withIndicatorTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureIndicatorTopic(admin, topic);
  } finally {
    await admin.disconnect();
  }
}

/** Publishes a set (as signed by its publisher). Refuses a set with TLP:RED entries: they never leave the member. */
export async function publishSet(kafka: Kafka, topic: string, set: IndicatorSet, file = `set ${set.id}`): Promise<void> {
  assertPublishable(set, file);
  await withIndicatorTopic(kafka, topic);
  const producer = kafka.producer();
  await producer.connect();
  const value = JSON.stringify(set);
  try {
    // sets are JSON: gzip takes a set of URLs to about a tenth, hashes to about half
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ key: topicKey(set), value }] });
  } catch (err) {
    if (!tooLarge(err)) throw err;
    throw new UsageError(
      `${file} (${set.entries.length} entries, ${Buffer.byteLength(value)} bytes of JSON) is more than topic ${topic} takes in one message, even compressed: ` +
        `split it into sets of their own, or raise the topic's limit (kafka-configs.sh --bootstrap-server BROKER --alter --entity-type topics --entity-name ${topic} --add-config max.message.bytes=${INDICATOR_TOPIC_MAX_BYTES}); nothing was published`,
    );
  } finally {
    await producer.disconnect();
  }
}

/** The SHA-256 (hex) of a set's signed content. */
const digest = (set: IndicatorSet): string => sha256Hex(signedBytes(set));

/**
 * The digests a copy of this release may have: its content, or its export (without TLP:RED, and hashed or not),
 * which is what the publisher's own process, holding the full set in MT_INDICATORS, reads back.
 */
export function releaseDigests(set: IndicatorSet): string[] {
  const shared = shareable(set);
  return [...new Set([set, shared, hashPlaintext(shared)].map(digest))];
}

/** Whether a set on the topic is the release `inForce` (releaseDigests). */
function sameRelease(inForce: IndicatorSet, other: IndicatorSet): boolean {
  return releaseDigests(inForce).includes(digest(other));
}

/**
 * Why subscribers would refuse `set` given the releases of it on the topic (read to its end; with a trust store,
 * only those that verify), or undefined: an older version is refused as a rollback, and the same version with other
 * content as a change. Either would, once compacted, leave the topic without the release subscribers hold.
 */
export async function refusalOnTopic(kafka: Kafka, topic: string, set: IndicatorSet, trust?: TrustStore): Promise<string | undefined> {
  await withIndicatorTopic(kafka, topic);
  let newest: IndicatorSet | undefined;
  for await (const lines of readTopicRange(kafka, topic))
    for (const { bytes } of lines) {
      let other: IndicatorSet | undefined;
      try {
        other = parseAnyIndicatorSet(JSON.parse(bytes.toString())).data;
      } catch {
        // not JSON: a subscriber refuses it, and it is no release of this set
      }
      if (!other || topicKey(other) !== topicKey(set) || (trust && !verifySet(other, trust).ok)) continue;
      if (!newest || other.version > newest.version) newest = other;
    }
  if (!newest) return undefined;
  // without a trust store a release signed with a key since revoked counts here, though subscribers pass it over
  const unchecked = trust ? "" : ` (the topic's releases were not checked: if version ${newest.version} was signed with a key since revoked, give --trust with the trust store that revokes it, as subscribers hold it)`;
  if (newest.version > set.version)
    return `topic ${topic} holds version ${newest.version} of set ${set.id}${unchecked}: subscribers refuse version ${set.version} as a rollback, and once compacted the topic would keep only it; publish the latest release, or this one as version ${newest.version + 1} (signed again)`;
  if (newest.version === set.version && !sameRelease(newest, set))
    return `topic ${topic} holds another version ${set.version} of set ${set.id}: subscribers refuse a changed set under the same version; publish the change as version ${set.version + 1} (signed again)`;
  return undefined;
}

/** The broker refused a message over the topic's max.message.bytes (kafkajs may wrap its protocol error). */
const tooLarge = (err: unknown): boolean =>
  (err as { type?: string }).type === "MESSAGE_TOO_LARGE" || (err as { cause?: { type?: string } }).cause?.type === "MESSAGE_TOO_LARGE";

/**
 * Per publisher, set id and signing key, the highest version put in force, kept where processes started later find it:
 * after compaction the topic may hold an older signed release under a set's key (anyone who can write the topic can
 * put one back), and only this says it is older than what was in force. The floor a set is held to is the highest
 * version signed by a key the trust store does not revoke: a compromised key's version (however high) stops counting
 * once the key is revoked, so its member can publish the set again with its new key.
 */
export interface VersionFloor {
  load(): Promise<Remembered[]>;
  /** raises the versions remembered to these sets' where lower; reports its own failures rather than throwing */
  record(sets: Signed[]): Promise<void>;
}

/** A set put in force and the keyId that signed it as verified, or "" (unsigned: taken without a trust store). */
export interface Signed {
  set: IndicatorSet;
  signedBy: string;
}

/** The highest version of a set put in force under one signing key, and the releaseDigests of that release (absent when not recorded: before migration 11). */
export interface Remembered {
  publisher: string;
  setId: string;
  signedBy: string;
  version: number;
  release?: string[];
}

/** Why a set from the topic was not taken, as counted (moneytrail_indicator_sets_refused_total{reason}). */
export type RefusalKind = "invalid" | "untrusted" | "publisher" | "changed" | "rollback";
type Refusal = { kind: RefusalKind; reason: string };

export interface SubscriberOptions {
  kafka: Kafka;
  topic: string;
  /** with a trust store, only verified sets are taken */
  trust?: TrustStore;
  /** without one, versions older than those in force are refused only as this process saw them */
  floor?: VersionFloor;
  /** the sets in force changed: all of them, latest version of each */
  onChange: (sets: IndicatorSet[]) => void;
  /** `at`: the message refused, where an operator finds it (not for a set retried at a trust-store change) */
  onRefused: (setId: string | null, reason: string, kind: RefusalKind, at?: { partition: number; offset: string }) => void;
  /** the most bytes of sets refused as untrusted kept to be taken at a trust-store change (default 256 MiB) */
  untrustedKeptBytes?: number;
  /** whether an operator skipped a record batch that cannot be read (db skip-batch): else the partition is held at it */
  skipped?: SkippedLookup;
  /**
   * A set taken in place of a version holding TLP:RED entries it lacks (`red`, their ids): a publisher's own process,
   * holding its full set in MT_INDICATORS, reading back the newer export it published, which never carries them
   */
  onRedLeft?: (set: IndicatorSet, before: IndicatorSet, red: string[]) => void;
  /**
   * With a floor: the sets in force before this process started that are not in force now (all of them), once the
   * topic has been read to its end as it was at start, then whenever that list changes. On a compacted topic a
   * tombstone or another message under a set's key erases its release, and a process started after that would run
   * without the set and say nothing.
   */
  onMissing?: (missing: MissingSet[]) => void;
}

/** A set in force before this process started (mt_indicator_versions) that the topic did not put in force again. */
export interface MissingSet {
  publisher: string;
  setId: string;
  /** the highest version of it in force before */
  version: number;
}

export class IndicatorSubscriber {
  private consumer?: Consumer;
  private stopped = false;
  private readonly inForce = new Map<string, IndicatorSet>();
  /** by setKey, then by the key that signed it (Signed.signedBy): the highest version put in force, here or (with a floor) by any process before */
  private readonly highest = new Map<string, Map<string, number>>();
  /**
   * The versions put in force before this process started (the floor's), with their releases: the same version with
   * other content is refused also when that release is gone from the topic
   */
  private remembered: Remembered[] = [];
  /**
   * Older releases read before the end of the topic as it was at start, by message key: the topic's history, unless
   * no later message comes under the key; refused then, when the partition's end is reached.
   */
  private readonly held = new Map<string | null, Refusal & { partition: number; offset: string }>();
  /**
   * Per partition read to its end, where that end was: an older release from there on is one put back. Messages
   * before it are history however often they come (the consumer reads the topic again from the start when kafkajs
   * restarts it after an error).
   */
  private readonly liveFrom = new Map<number, number>();
  /** the trust store in force (retrust replaces it) */
  private trust?: TrustStore;
  /** by message key: the latest message refused as untrusted, taken when a new trust store makes it verify (retrust) */
  private readonly untrusted = new Map<string | null, Buffer>();
  /** the bytes `untrusted` holds: bounded, as anyone who may write the topic can send sets signed with keys nobody trusts */
  private untrustedBytes = 0;
  /**
   * by message key: sets withdrawn by a trust store, put back by a later one that verifies them again (a key revoked
   * or removed by mistake, then restored), as a process started then would take them; until a set is taken under the key
   */
  private readonly withdrawn = new Map<string | null, IndicatorSet>();
  /** the partitions that held messages at start and are not yet read to their end (liveFrom); null: not asked */
  private unread: Set<number> | null = null;
  /** the last list given to onMissing, by setKey */
  private missingReported = "";

  constructor(
    private readonly o: SubscriberOptions,
    private readonly initial: IndicatorSet[] = [],
  ) {
    this.trust = o.trust;
    for (const s of initial) {
      this.inForce.set(s.id, s);
      this.raise(topicKey(s), this.signer(s), s.version);
    }
  }

  /** The key a set in force verified with, or "" without a trust store (its signature unchecked). */
  private signer(set: IndicatorSet): string {
    return (this.trust && set.signature?.keyId) || "";
  }

  private raise(key: string, signedBy: string, version: number): void {
    const bySigner = this.highest.get(key) ?? new Map<string, number>();
    bySigner.set(signedBy, Math.max(version, bySigner.get(signedBy) ?? 0));
    this.highest.set(key, bySigner);
  }

  /** Another publisher whose set under `set`'s id has been in force, here or (with a floor) before: the id's owner. */
  private otherOwner(set: IndicatorSet): { publisher: string; version: number } | undefined {
    for (const [key, bySigner] of this.highest) {
      const [publisher, setId] = JSON.parse(key) as [string, string];
      if (setId === set.id && publisher !== set.publisher.id) return { publisher, version: Math.max(...bySigner.values()) };
    }
    return undefined;
  }

  /** Whether the trust store in force revokes `publisher`'s key `signedBy` ("" is never revoked). */
  private revoked(publisher: string, signedBy: string): boolean {
    return !!signedBy && !!this.trust && !!trustedKey(this.trust, publisher, signedBy)?.revoked;
  }

  /**
   * A key of the set's publisher that took over from the key that signed `set` (its window begins where the signer's
   * ends) and has signed a version of this set, here or before (the floor): rotation lets the old key still verify
   * sets dated inside its window, so without this a leaked retired key could publish a newer version, backdated.
   */
  private successorOf(set: IndicatorSet): string | undefined {
    const signedBy = this.signer(set);
    const retired = signedBy ? trustedKey(this.trust!, set.publisher.id, signedBy) : undefined;
    if (!retired?.validUntil) return undefined;
    const end = Date.parse(retired.validUntil);
    for (const other of this.highest.get(topicKey(set))?.keys() ?? []) {
      const k = other && other !== signedBy ? trustedKey(this.trust!, set.publisher.id, other) : undefined;
      if (k?.validFrom && Date.parse(k.validFrom) >= end && !k.revoked) return other;
    }
    return undefined;
  }

  /** The highest version of a set put in force, among those signed by a key not revoked (the rollback floor). */
  private floorOf(set: IndicatorSet): number {
    let floor = 0;
    for (const [signedBy, version] of this.highest.get(topicKey(set)) ?? []) if (!this.revoked(set.publisher.id, signedBy)) floor = Math.max(floor, version);
    return floor;
  }

  /**
   * Takes a message's set if it is valid, trusted, of the publisher whose set is in force under its id, and newer
   * than that one and than any version of it put in force before: "taken" when it did; "passed" for the one in force
   * again; else why not.
   */
  private take(key: string | null, value: Buffer | null): "taken" | "passed" | Refusal {
    const invalid = (reason: string): Refusal => ({ kind: "invalid", reason });
    // a tombstone deletes its key from the compacted topic; it proves nothing about who sent it, so it withdraws nothing
    if (value === null)
      return invalid(`message ${key ?? "(no key)"} has no value (a tombstone): the set in force under it stays; a publisher withdraws entries by publishing a newer version with them revoked`);
    if (value.length > INDICATOR_SET_MAX_BYTES)
      return invalid(`set ${key ?? "(no key)"} is ${value.length} bytes of JSON, more than a set may have (${INDICATOR_SET_MAX_BYTES}): not read; its publisher should split it into sets of their own`);
    let json: unknown;
    try {
      json = JSON.parse(value.toString());
    } catch {
      return invalid(`message ${key ?? "(no key)"} is not JSON`);
    }
    const parsed = parseAnyIndicatorSet(json);
    if (!parsed.success)
      return invalid(
        `set ${key ?? "(no key)"} is not a valid indicator set: ${zodIssues(parsed.error, json)
          .map((i) => `${i.path || "(top level)"}: ${i.message}`)
          .join("; ")}`,
      );
    const set = parsed.data;
    if (this.trust) {
      const v = verifySet(set, this.trust);
      if (!v.ok) return { kind: "untrusted", reason: v.reason };
    }
    // compaction keeps one message per key: under another key, even a set of the sender's own would erase what is there
    if (key !== topicKey(set)) {
      const there = [...this.inForce.values()].find((s) => topicKey(s) === key);
      return {
        kind: "publisher",
        reason: `set ${set.id} from ${set.publisher.id} refused: it came under the message key ${key ?? "(no key)"}, not its own ${topicKey(set)}, and on the compacted topic it would erase ${there ? `${there.publisher.id}'s set ${there.id}` : "the set under that key"}; ${set.publisher.id} should publish it with moneytrail indicators publish, which keys it by its publisher and set id`,
      };
    }
    const current = this.inForce.get(set.id);
    // Versions order one publisher's releases only: without this, any trusted member could replace another's set by
    // reusing its id with a higher version. With a trust store the publisher was verified above; without one it is a
    // claim, and the rule still keeps two members who chose the same id from erasing each other's set.
    if (current && current.publisher.id !== set.publisher.id)
      return {
        kind: "publisher",
        reason: `set ${set.id} from ${set.publisher.id} refused: that id belongs to ${current.publisher.id}, whose set (version ${current.version}) stays in force; ${set.publisher.id} should publish under an id of its own`,
      };
    // the owner's set may be out of force for now (its release passed over as the topic's history, or withdrawn by a
    // trust-store change) or come later on the topic: the id stays the owner's
    const owner = current ? undefined : this.otherOwner(set);
    if (owner)
      return {
        kind: "publisher",
        reason: `set ${set.id} from ${set.publisher.id} refused: that id belongs to ${owner.publisher}, whose version ${owner.version} of it has been in force; ${set.publisher.id} should publish under an id of its own`,
      };
    // an older signed release is still signed: put back on the topic, it would bring back entries revoked since, in
    // every process started after compaction left it the only one under its key
    const highest = this.floorOf(set);
    if (set.version < highest)
      return {
        kind: "rollback",
        reason: `set ${set.id} version ${set.version} from ${set.publisher.id} refused: version ${highest} of it has been in force, and an older release would bring back what the newer ones changed (entries since revoked among them); ${set.publisher.id} should publish version ${highest} (or a newer one) again, so that the topic holds it`,
      };
    const successor = this.successorOf(set);
    if (successor)
      return {
        kind: "untrusted",
        reason: `set ${set.id} version ${set.version} from ${set.publisher.id} refused: it is signed with key ${this.signer(set)}, retired (its window ended), while key ${successor}, which took over from it, has signed a version of this set; a newer release under the retired key is what whoever holds that key now could publish, dated inside its old window. ${set.publisher.id} should publish with ${successor}; if key ${this.signer(set)} may have leaked, revoke it in the trust store`,
      };
    // a release is its version: a changed set under the same number would be in force in some processes (those that
    // took the first) and not in others (those started after compaction kept only the second)
    const before =
      current?.version === set.version
        ? []
        : this.remembered.filter((r) => setKey(r.publisher, r.setId) === topicKey(set) && r.version === highest && r.release && !this.revoked(r.publisher, r.signedBy));
    if (set.version === highest && before.length && !before.some((r) => r.release!.includes(digest(set))))
      return {
        kind: "changed",
        reason: `set ${set.id} version ${set.version} from ${set.publisher.id} refused: its content differs from the version ${set.version} put in force before this process started; ${set.publisher.id} should publish the change as version ${set.version + 1}`,
      };
    if (current && current.version === set.version)
      return sameRelease(current, set)
        ? "passed"
        : {
            kind: "changed",
            reason: `set ${set.id} version ${set.version} from ${set.publisher.id} refused: its content differs from version ${set.version} in force, which stays; ${set.publisher.id} should publish the change as version ${set.version + 1}`,
          };
    const red = current?.entries.filter((e) => e.tlp === "red" && !set.entries.some((n) => n.id === e.id)).map((e) => e.id) ?? [];
    if (current && red.length) this.o.onRedLeft?.(set, current, red);
    this.inForce.set(set.id, set);
    this.withdrawn.delete(topicKey(set));
    this.raise(topicKey(set), this.signer(set), set.version);
    return "taken";
  }

  private get untrustedMax(): number {
    return this.o.untrustedKeptBytes ?? 256 * 1024 * 1024;
  }

  /** Keeps a message refused as untrusted for retrust, within the bound; whether it was kept. */
  private keepUntrusted(key: string | null, value: Buffer): boolean {
    if (this.untrustedBytes + value.length > this.untrustedMax) return false;
    this.untrusted.set(key, value);
    this.untrustedBytes += value.length;
    return true;
  }

  private forgetUntrusted(key: string | null): void {
    this.untrustedBytes -= this.untrusted.get(key)?.length ?? 0;
    this.untrusted.delete(key);
  }

  private isLive(partition: number, offset: string): boolean {
    return Number(offset) >= (this.liveFrom.get(partition) ?? Infinity);
  }

  async start(): Promise<void> {
    if (this.o.floor) {
      this.remembered = await this.o.floor.load();
      for (const r of this.remembered) this.raise(setKey(r.publisher, r.setId), r.signedBy, r.version);
      // the sets given at start are in force before the topic is read, and it may no longer hold the newer release
      for (const s of this.initial) {
        const floor = this.floorOf(s);
        if (s.version < floor)
          throw new UsageError(
            `set ${s.id} version ${s.version} from ${s.publisher.id}, given at start (MT_INDICATORS), is older than version ${floor}, in force before (mt_indicator_versions): an older release would bring back what the newer ones changed (entries since revoked among them); put the set's latest version there, or leave the set out (the topic's release is taken)`,
          );
      }
      await this.o.floor.record(this.signed(this.initial));
    }
    // a group of its own: every process must read every set
    // a fetch waits at most a second for a set: stop() waits for the fetch in flight (kafkajs's default, 5 s, held
    // up every SIGTERM by up to that long), and sets are rare enough that a fetch a second costs nothing
    this.consumer = this.o.kafka.consumer({ groupId: `moneytrail-indicators-${randomUUID()}`, maxWaitTimeInMs: 1000 });
    if (this.o.onMissing) await this.readEnds();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    // a record batch the codecs refuse (source/codecs.ts) holds its partition there: no set after it is taken
    const onHeld = (h: HeldBatch) => this.o.onRefused(null, `a record batch of ${h.records} records cannot be read: ${h.why}; ${h.todo}`, "invalid", { partition: h.partition, offset: h.offset });
    await this.consumer.run({
      autoCommit: false,
      // one index rebuild per batch, not per set: at start the topic hands over every set at once
      eachBatch: holdingRefused(async ({ batch }) => {
        if (this.stopped) return;
        let changed = false;
        for (const message of batch.messages) {
          // a record of a batch an operator skipped: refused with why, nothing under a key changed
          const skipped = message.value === null ? skippedReason(message) : undefined;
          if (skipped !== undefined) {
            this.o.onRefused(null, skipped, "invalid", { partition: batch.partition, offset: message.offset });
            continue;
          }
          const key = message.key?.toString() ?? null;
          // a later message under the key: the release held back, or refused as untrusted, is no longer the topic's latest
          this.held.delete(key);
          this.forgetUntrusted(key);
          const took = this.take(key, message.value);
          const at = { partition: batch.partition, offset: message.offset };
          if (took === "taken") changed = true;
          else if (took === "passed") continue;
          else if (took.kind === "rollback" && !this.isLive(batch.partition, message.offset)) this.held.set(key, { ...took, ...at });
          else if (took.kind === "untrusted" && !this.keepUntrusted(key, message.value!))
            this.o.onRefused(key, `${took.reason} (not kept to be taken when its key is trusted: the sets so kept hold ${this.untrustedMax} bytes at most; a restart reads it again)`, took.kind, at);
          else this.o.onRefused(key, took.reason, took.kind, at);
        }
        if (!this.liveFrom.has(batch.partition) && Number(batch.highWatermark) <= Number(batch.messages.at(-1)?.offset) + 1) {
          this.liveFrom.set(batch.partition, Number(batch.highWatermark));
          for (const [key, r] of this.held)
            if (r.partition === batch.partition) {
              this.held.delete(key);
              this.o.onRefused(key, r.reason, r.kind, { partition: r.partition, offset: r.offset });
            }
          this.unread?.delete(batch.partition);
          this.reportMissing();
        }
        if (!changed) return;
        this.o.onChange([...this.inForce.values()]);
        await this.o.floor?.record(this.signed([...this.inForce.values()]));
        this.reportMissing();
      }, onHeld, this.o.skipped).eachBatch,
    });
    this.reportMissing();
  }

  /** The partitions to read to their end before the sets missing are known (an empty one is read already). */
  private async readEnds(): Promise<void> {
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.o.topic);
      this.unread = new Set(offsets.filter((p) => Number(p.high) > Number(p.low)).map((p) => p.partition));
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Calls onMissing with the sets in force before that are not now, once every partition was read to its end, and
   * again whenever the list changes. A set whose signing key the trust store no longer trusts was withdrawn
   * on purpose, so it is not missing.
   */
  private reportMissing(): void {
    if (!this.o.onMissing || !this.unread || this.unread.size) return;
    const missing = new Map<string, MissingSet>();
    for (const r of this.remembered) {
      const key = setKey(r.publisher, r.setId);
      const now = this.inForce.get(r.setId);
      if ((now && topicKey(now) === key) || (this.trust && r.signedBy && !trustedKey(this.trust, r.publisher, r.signedBy)) || this.revoked(r.publisher, r.signedBy)) continue;
      missing.set(key, { publisher: r.publisher, setId: r.setId, version: Math.max(r.version, missing.get(key)?.version ?? 0) });
    }
    const list = [...missing.values()].sort((a, b) => (a.setId < b.setId ? -1 : 1));
    const text = JSON.stringify(list);
    if (text === this.missingReported) return;
    this.missingReported = text;
    this.o.onMissing(list);
  }

  /**
   * Puts a new trust store in force (MT_TRUST_STORE changed: a key added, rotated, revoked): a set in force that no
   * longer verifies under it is withdrawn (the sets in force change without it, as for a revocation), and the topic's
   * latest set under a key that was refused as untrusted and verifies now is taken (or refused for another reason).
   * Without a trust store before, every set in force is checked. Returns what was withdrawn and taken.
   */
  async retrust(trust: TrustStore): Promise<{ withdrawn: { set: string; publisher: string; version: number; reason: string }[]; taken: { set: string; publisher: string; version: number }[] }> {
    if (this.stopped) return { withdrawn: [], taken: [] };
    this.trust = trust;
    const withdrawn = [];
    for (const [id, set] of this.inForce) {
      const v = verifySet(set, trust);
      if (v.ok) continue;
      this.inForce.delete(id);
      this.withdrawn.set(topicKey(set), set);
      withdrawn.push({ set: id, publisher: set.publisher.id, version: set.version, reason: v.reason });
    }
    const before = new Set(this.inForce.values());
    const retry = (forget: (key: string | null) => void, key: string | null, value: Buffer) => {
      const took = this.take(key, value);
      // still untrusted: kept for the next change, and not logged again
      if (took !== "taken" && took !== "passed" && took.kind === "untrusted") return;
      forget(key);
      if (took !== "taken" && took !== "passed") this.o.onRefused(key, took.reason, took.kind);
    };
    for (const [key, value] of [...this.untrusted]) retry((k) => this.forgetUntrusted(k), key, value);
    for (const [key, set] of [...this.withdrawn]) retry((k) => this.withdrawn.delete(k), key, Buffer.from(JSON.stringify(set)));
    const taken = [...this.inForce.values()].filter((s) => !before.has(s)).map((s) => ({ set: s.id, publisher: s.publisher.id, version: s.version }));
    if (withdrawn.length || taken.length) {
      this.o.onChange([...this.inForce.values()]);
      await this.o.floor?.record(this.signed([...this.inForce.values()]));
    }
    this.reportMissing();
    return { withdrawn, taken };
  }

  private signed(sets: IndicatorSet[]): Signed[] {
    return sets.map((set) => ({ set, signedBy: this.signer(set) }));
  }

  /**
   * No set is taken from the call on (a caller saving its state need not wait for the disconnect, which waits for the
   * fetch in flight: with a broker that does not answer, a minute); resolves once the consumer has left.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
