// The coalition topic: a set id belongs to the publisher whose set is in force under it. Another member, trusted or
// not, cannot replace that set by reusing its id with a higher version, neither in a running subscriber nor on the
// compacted topic (messages are keyed by publisher and set id).
import { describe, expect, it } from "vitest";
import type { Kafka } from "kafkajs";
import { IndicatorSubscriber, publishSet, topicKey } from "../src/indicators/distribution.js";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet, type TrustStore } from "../src/indicators/sign.js";
import { hashPlaintext, shareable } from "../src/indicators/privacy.js";

const ka = generateSigningKey();
const kb = generateSigningKey();
const trust: TrustStore = {
  keys: [
    { keyId: "a-1", publisher: "member:hotline-a", publicKey: ka.publicKeyPem },
    { keyId: "b-1", publisher: "member:bank-b", publicKey: kb.publicKeyPem },
  ],
};
const set = (publisher: string, version: number, entries: number): IndicatorSet =>
  IndicatorSet.parse({
    format: FORMAT,
    id: "hotline-a-2026-11",
    version,
    publisher: { id: publisher },
    created: "2026-11-01T00:00:00Z",
    entries: Array.from({ length: entries }, (_, i) => ({ id: `e-${i}`, kind: "domain", value: `flagged-${i}.example`, confidence: 90 })),
  });
const setA = signSet(set("member:hotline-a", 7, 2), "a-1", ka.privateKeyPem);

type EachBatch = (p: { batch: { messages: { key: Buffer | null; value: Buffer | null }[] } }) => Promise<void>;

/** A subscriber over a stand-in consumer: deliver() hands it a batch as the topic would. */
async function subscriber(withTrust: boolean, initial: IndicatorSet[]) {
  let eachBatch: EachBatch | undefined;
  const kafka = {
    consumer: () => ({
      connect: async () => {},
      subscribe: async () => {},
      run: async (o: { eachBatch: EachBatch }) => void (eachBatch = o.eachBatch),
      disconnect: async () => {},
    }),
  } as unknown as Kafka;
  const seen = { inForce: initial, refused: [] as string[] };
  const sub = new IndicatorSubscriber(
    { kafka, topic: "t", ...(withTrust && { trust }), onChange: (s) => (seen.inForce = s), onRefused: (_, reason) => seen.refused.push(reason) },
    initial,
  );
  await sub.start();
  const raw = (...messages: { key: Buffer | null; value: Buffer | null }[]) => eachBatch!({ batch: { messages } });
  const deliver = (...sets: IndicatorSet[]) => raw(...sets.map((s) => ({ key: Buffer.from(topicKey(s)), value: Buffer.from(JSON.stringify(s)) })));
  return { seen, deliver, raw };
}

const inForce = (sets: IndicatorSet[]) => sets.map((s) => `${s.id} v${s.version} ${s.publisher.id} ${s.entries.length}`);

describe("set ids belong to their publisher", () => {
  it("refuses a trusted member's signed set that reuses another member's set id, and keeps that set in force", async () => {
    const { seen, deliver } = await subscriber(true, [setA]);
    await deliver(signSet(set("member:bank-b", 8, 0), "b-1", kb.privateKeyPem));
    expect(seen.refused).toEqual([expect.stringMatching(/^set hotline-a-2026-11 from member:bank-b refused: that id belongs to member:hotline-a, whose set \(version 7\) stays in force/)]);
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v7 member:hotline-a 2"]);
    // the owner's own newer version still replaces it
    await deliver(signSet(set("member:hotline-a", 9, 1), "a-1", ka.privateKeyPem));
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v9 member:hotline-a 1"]);
  });

  it("holds to the first publisher seen on the topic, in one batch as across batches", async () => {
    const { seen, deliver } = await subscriber(true, []);
    await deliver(setA, signSet(set("member:bank-b", 8, 0), "b-1", kb.privateKeyPem));
    expect(seen.refused).toHaveLength(1);
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v7 member:hotline-a 2"]);
  });

  it("without a trust store, still keeps two publishers who chose the same id from erasing each other's set", async () => {
    const { seen, deliver } = await subscriber(false, [set("member:hotline-a", 7, 2)]);
    await deliver(set("member:bank-b", 8, 0));
    expect(seen.refused).toEqual([expect.stringMatching(/that id belongs to member:hotline-a/)]);
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v7 member:hotline-a 2"]);
  });

  it("keys topic messages by publisher and set id, so compaction cannot drop one publisher's set for another's", async () => {
    const sent: { key: string }[] = [];
    const kafka = {
      admin: () => ({ connect: async () => {}, listTopics: async () => ["t"], disconnect: async () => {} }),
      producer: () => ({ connect: async () => {}, send: async (r: { messages: { key: string }[] }) => void sent.push(...r.messages), disconnect: async () => {} }),
    } as unknown as Kafka;
    await publishSet(kafka, "t", setA);
    await publishSet(kafka, "t", set("member:bank-b", 8, 0));
    expect(sent.map((m) => m.key)).toEqual(['["member:hotline-a","hotline-a-2026-11"]', '["member:bank-b","hotline-a-2026-11"]']);
  });
});

describe("versions", () => {
  it("refuses a changed set under the version in force, saying to publish it as the next version", async () => {
    const { seen, deliver } = await subscriber(true, [setA]);
    // the same release again (a restart reads the topic from the start) is taken quietly
    await deliver(setA);
    expect(seen.refused).toEqual([]);
    await deliver(signSet(set("member:hotline-a", 7, 1), "a-1", ka.privateKeyPem));
    expect(seen.refused).toEqual([
      "set hotline-a-2026-11 version 7 from member:hotline-a refused: its content differs from version 7 in force, which stays; member:hotline-a should publish the change as version 8",
    ]);
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v7 member:hotline-a 2"]);
  });

  it("takes quietly the publisher's own export of the version in force (without TLP:RED, hashed), keeping the full set", async () => {
    const full = IndicatorSet.parse({
      ...set("member:hotline-a", 7, 1),
      entries: [
        { id: "e-0", kind: "url", value: "https://flagged-0.example/album/1", confidence: 90, description: "album page" },
        { id: "e-1", kind: "domain", value: "internal-only.example", confidence: 90, tlp: "red" },
      ],
    });
    const { seen, deliver } = await subscriber(true, [full]);
    await deliver(signSet(shareable(full), "a-1", ka.privateKeyPem), signSet(hashPlaintext(shareable(full)), "a-1", ka.privateKeyPem));
    expect(seen.refused).toEqual([]);
    expect(seen.inForce).toEqual([full]);
  });

  it("passes over an older version: it never replaces a newer one", async () => {
    const { seen, deliver } = await subscriber(true, [setA]);
    await deliver(signSet(set("member:hotline-a", 6, 5), "a-1", ka.privateKeyPem));
    expect(seen.refused).toEqual([]);
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v7 member:hotline-a 2"]);
  });
});

describe("messages that are no set", () => {
  it("says a tombstone is one, and names a bad set's places as a set file's are named; the set in force stays", async () => {
    const { seen, raw } = await subscriber(true, [setA]);
    const key = Buffer.from(topicKey(setA));
    const { version: _, ...noVersion } = setA;
    const badEntry = { ...setA, version: 8, entries: [{ ...setA.entries[0]!, value: "com" }] };
    await raw({ key, value: null }, { key, value: Buffer.from(JSON.stringify(noVersion)) }, { key, value: Buffer.from(JSON.stringify(badEntry)) });
    expect(seen.refused).toEqual([
      `message ${topicKey(setA)} has no value (a tombstone): the set in force under it stays; a publisher withdraws entries by publishing a newer version with them revoked`,
      `set ${topicKey(setA)} is not a valid indicator set: version: missing: this key is required (number)`,
      `set ${topicKey(setA)} is not a valid indicator set: entries[0].value: a public suffix or a single label (such as com, co.uk or github.io), which would match every site under it: list the site's own domain (kind domain)`,
    ]);
    expect(inForce(seen.inForce)).toEqual(["hotline-a-2026-11 v7 member:hotline-a 2"]);
  });
});
