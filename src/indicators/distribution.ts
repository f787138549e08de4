// Indicator sets over Kafka: publishers write each set to a compacted topic keyed by publisher and set id, so the
// topic holds the latest version of every set; every consumer process reads it from the start with a group of its
// own and puts a verified, newer version in force live. A set id belongs to the publisher whose set is in force
// under it. TLP:RED entries never reach the topic.
import { randomUUID } from "node:crypto";
import { CompressionTypes, type Admin, type Consumer, type Kafka } from "kafkajs";
import { parseAnyIndicatorSet, type IndicatorSet } from "./schema.js";
import { signedBytes, verifySet, type TrustStore } from "./sign.js";
import { hashPlaintext, shareable } from "./privacy.js";
import { UsageError, zodIssues } from "../lib/errors.js";

/**
 * A set travels whole in one message, and a member's list of URLs runs to megabytes (20k URLs: 2.5 MB of JSON), past
 * the broker's default of 1 MB a message: the topic takes this much a message, compressed.
 */
export const INDICATOR_TOPIC_MAX_BYTES = 32 * 1024 * 1024;

export async function ensureIndicatorTopic(admin: Admin, topic: string): Promise<void> {
  const existing = new Set(await admin.listTopics());
  if (existing.has(topic)) return;
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: 1,
        configEntries: [
          { name: "cleanup.policy", value: "compact" },
          { name: "max.message.bytes", value: String(INDICATOR_TOPIC_MAX_BYTES) },
        ],
      },
    ],
    waitForLeaders: true,
  });
}

/** Refuses a set with TLP:RED entries, which never leave the member, saying how to share the rest. */
export function assertPublishable(set: IndicatorSet, file = `set ${set.id}`): void {
  const red = set.entries.filter((e) => e.tlp === "red").map((e) => e.id);
  if (red.length)
    throw new UsageError(
      `${file} has TLP:RED entries (${red.slice(0, 5).join(", ")}${red.length > 5 ? ", ..." : ""}), which never leave this member: export it (moneytrail indicators export drops them), sign that and publish it`,
    );
}

/**
 * The topic's message key: publisher and set id, so that compaction keeps each publisher's latest version apart and
 * another member's set under the same id cannot erase this one from the topic. A JSON pair: no two pairs share a key.
 */
export const topicKey = (set: IndicatorSet): string => JSON.stringify([set.publisher.id, set.id]);

/** Publishes a set (as signed by its publisher). Refuses a set with TLP:RED entries: they never leave the member. */
export async function publishSet(kafka: Kafka, topic: string, set: IndicatorSet, file = `set ${set.id}`): Promise<void> {
  assertPublishable(set, file);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureIndicatorTopic(admin, topic);
  } finally {
    await admin.disconnect();
  }
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

/**
 * Whether a set on the topic is the release in force: the same content, or its export (without TLP:RED, and hashed
 * or not), which is what the publisher's own process, holding the full set in MT_INDICATORS, reads back.
 */
function sameRelease(inForce: IndicatorSet, other: IndicatorSet): boolean {
  const bytes = signedBytes(other);
  const shared = shareable(inForce);
  return [inForce, shared, hashPlaintext(shared)].some((s) => signedBytes(s).equals(bytes));
}

/** The broker refused a message over the topic's max.message.bytes (kafkajs may wrap its protocol error). */
const tooLarge = (err: unknown): boolean =>
  (err as { type?: string }).type === "MESSAGE_TOO_LARGE" || (err as { cause?: { type?: string } }).cause?.type === "MESSAGE_TOO_LARGE";

export interface SubscriberOptions {
  kafka: Kafka;
  topic: string;
  /** with a trust store, only verified sets are taken */
  trust?: TrustStore;
  /** the sets in force changed: all of them, latest version of each */
  onChange: (sets: IndicatorSet[]) => void;
  onRefused: (setId: string | null, reason: string) => void;
}

export class IndicatorSubscriber {
  private consumer?: Consumer;
  private readonly inForce = new Map<string, IndicatorSet>();

  constructor(
    private readonly o: SubscriberOptions,
    initial: IndicatorSet[] = [],
  ) {
    for (const s of initial) this.inForce.set(s.id, s);
  }

  /**
   * Takes a message's set if it is valid, trusted, of the publisher whose set is in force under its id, and newer
   * than that one: returns true when it did, or why not (a string); false when it was an older version (the topic's
   * history) or the one in force again.
   */
  private take(key: string | null, value: Buffer | null): boolean | string {
    // a tombstone deletes its key from the compacted topic; it proves nothing about who sent it, so it withdraws nothing
    if (value === null)
      return `message ${key ?? "(no key)"} has no value (a tombstone): the set in force under it stays; a publisher withdraws entries by publishing a newer version with them revoked`;
    let json: unknown;
    try {
      json = JSON.parse(value.toString());
    } catch {
      return `message ${key ?? "(no key)"} is not JSON`;
    }
    const parsed = parseAnyIndicatorSet(json);
    if (!parsed.success)
      return `set ${key ?? "(no key)"} is not a valid indicator set: ${zodIssues(parsed.error, json)
        .map((i) => `${i.path || "(top level)"}: ${i.message}`)
        .join("; ")}`;
    const set = parsed.data;
    if (this.o.trust) {
      const v = verifySet(set, this.o.trust);
      if (!v.ok) return v.reason;
    }
    const current = this.inForce.get(set.id);
    // Versions order one publisher's releases only: without this, any trusted member could replace another's set by
    // reusing its id with a higher version. With a trust store the publisher was verified above; without one it is a
    // claim, and the rule still keeps two members who chose the same id from erasing each other's set.
    if (current && current.publisher.id !== set.publisher.id)
      return `set ${set.id} from ${set.publisher.id} refused: that id belongs to ${current.publisher.id}, whose set (version ${current.version}) stays in force; ${set.publisher.id} should publish under an id of its own`;
    if (current && current.version > set.version) return false;
    // a release is its version: a changed set under the same number would be in force in some processes (those that
    // took the first) and not in others (those started after compaction kept only the second)
    if (current && current.version === set.version)
      return sameRelease(current, set)
        ? false
        : `set ${set.id} version ${set.version} from ${set.publisher.id} refused: its content differs from version ${set.version} in force, which stays; ${set.publisher.id} should publish the change as version ${set.version + 1}`;
    this.inForce.set(set.id, set);
    return true;
  }

  async start(): Promise<void> {
    // a group of its own: every process must read every set
    // a fetch waits at most a second for a set: stop() waits for the fetch in flight (kafkajs's default, 5 s, held
    // up every SIGTERM by up to that long), and sets are rare enough that a fetch a second costs nothing
    this.consumer = this.o.kafka.consumer({ groupId: `moneytrail-indicators-${randomUUID()}`, maxWaitTimeInMs: 1000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      // one index rebuild per batch, not per set: at start the topic hands over every set at once
      eachBatch: async ({ batch }) => {
        let changed = false;
        for (const message of batch.messages) {
          const key = message.key?.toString() ?? null;
          const took = this.take(key, message.value);
          if (typeof took === "string") this.o.onRefused(key, took);
          else changed ||= took;
        }
        if (changed) this.o.onChange([...this.inForce.values()]);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
