// An older signed release of a set put back on the topic: running processes passed it over, but once compaction left
// it the only message under its key, a process started later took it (entries revoked since matched again). The
// subscriber now remembers, per publisher and set id, the highest version put in force (VersionFloor; PostgreSQL in
// `run`), and refuses an older release that is the topic's latest under its key, counted as a rollback. Older
// versions read before the topic's end as it was at start, followed by a later one, are still the topic's history.
import { describe, expect, it } from "vitest";
import type { Kafka } from "kafkajs";
import { IndicatorSubscriber, topicKey, type RefusalKind, type Remembered, type VersionFloor } from "../src/indicators/distribution.js";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet, type TrustStore } from "../src/indicators/sign.js";

const key = generateSigningKey();
const trust: TrustStore = { keys: [{ keyId: "a-1", publisher: "member:hotline-a", publicKey: key.publicKeyPem }] };
const release = (version: number): IndicatorSet =>
  signSet(
    IndicatorSet.parse({
      format: FORMAT,
      id: "hotline-a-2026-11",
      version,
      publisher: { id: "member:hotline-a" },
      created: "2026-11-01T00:00:00Z",
      // each release revokes one more entry
      entries: Array.from({ length: 3 }, (_, i) => ({ id: `e-${i}`, kind: "domain", value: `flagged-${i}.example`, confidence: 90, ...(i < version - 5 && { revoked: true }) })),
    }),
    "a-1",
    key.privateKeyPem,
  );
/** the row remembered for version `version` of the set signed with key a-1 */
const remembered = (version: number): Remembered => ({ publisher: "member:hotline-a", setId: "hotline-a-2026-11", signedBy: "a-1", version });
const A1 = JSON.stringify(["member:hotline-a", "hotline-a-2026-11", "a-1"]);

type Message = { key: Buffer | null; value: Buffer | null; offset: string };
type EachBatch = (p: { batch: { partition: number; highWatermark: string; messages: Message[] } }) => Promise<void>;

/** A subscriber over a stand-in consumer of a one-partition topic, with a floor in memory standing for PostgreSQL. */
async function subscriber(rows: Remembered[], initial: IndicatorSet[] = [], store = trust) {
  let eachBatch: EachBatch | undefined;
  const kafka = {
    consumer: () => ({ connect: async () => {}, subscribe: async () => {}, run: async (o: { eachBatch: EachBatch }) => void (eachBatch = o.eachBatch), disconnect: async () => {} }),
  } as unknown as Kafka;
  const rowKey = (r: Remembered) => JSON.stringify([r.publisher, r.setId, r.signedBy]);
  const stored = new Map(rows.map((r) => [rowKey(r), r]));
  const floor: VersionFloor = {
    load: async () => [...stored.values()],
    record: async (sets) => {
      for (const { set, signedBy } of sets) {
        const r = { publisher: set.publisher.id, setId: set.id, signedBy, version: set.version };
        stored.set(rowKey(r), { ...r, version: Math.max(r.version, stored.get(rowKey(r))?.version ?? 0) });
      }
    },
  };
  const seen = { inForce: initial.map((s) => s.version), refused: [] as { kind: RefusalKind; reason: string }[] };
  const sub = new IndicatorSubscriber(
    { kafka, topic: "t", trust: store, floor, onChange: (sets) => (seen.inForce = sets.map((s) => s.version)), onRefused: (_, reason, kind) => seen.refused.push({ kind, reason }) },
    initial,
  );
  await sub.start();
  let offset = 0;
  const topic: IndicatorSet[] = [];
  /** a batch of the topic; `end` the offset after the partition's last message when it was fetched (default: these are the last) */
  const deliver = (sets: IndicatorSet[], end?: number) => {
    topic.push(...sets);
    const messages = sets.map((s) => ({ key: Buffer.from(topicKey(s)), value: Buffer.from(JSON.stringify(s)), offset: String(offset++) }));
    return eachBatch!({ batch: { partition: 0, highWatermark: String(end ?? offset), messages } });
  };
  /** the whole topic again, as the consumer reads it when kafkajs restarts it after an error */
  const again = () =>
    eachBatch!({ batch: { partition: 0, highWatermark: String(offset), messages: topic.map((s, i) => ({ key: Buffer.from(topicKey(s)), value: Buffer.from(JSON.stringify(s)), offset: String(i) })) } });
  return { sub, seen, stored, deliver, again };
}

const ROLLBACK = "set hotline-a-2026-11 version 5 from member:hotline-a refused: version 7 of it has been in force, and an older release would bring back what the newer ones changed (entries since revoked among them); member:hotline-a should publish version 7 (or a newer one) again, so that the topic holds it";

describe("an older release that the topic holds as the latest of its set", () => {
  it("is refused as a rollback by a process started after compaction, when a newer version was in force before", async () => {
    // the topic after compaction: only version 5 under the set's key
    const { seen, deliver } = await subscriber([remembered(7)]);
    await deliver([release(5)]);
    expect(seen.refused).toEqual([{ kind: "rollback", reason: ROLLBACK }]);
    expect(seen.inForce).toEqual([]);
  });

  it("is refused when it follows the newer version on the topic, at start and while running; the newer stays in force", async () => {
    const { seen, deliver } = await subscriber([]);
    await deliver([release(7), release(5)]);
    expect(seen.refused).toEqual([{ kind: "rollback", reason: ROLLBACK }]);
    expect(seen.inForce).toEqual([7]);
    // put back again while running
    await deliver([release(5)]);
    expect(seen.refused.map((r) => r.kind)).toEqual(["rollback", "rollback"]);
    expect(seen.inForce).toEqual([7]);
  });

  it("is the topic's history when a later version follows it, also across batches before the topic's end", async () => {
    const { seen, deliver, stored } = await subscriber([remembered(7)]);
    // fetched while the topic held four messages: the first batch ends before its end
    await deliver([release(5), release(6)], 4);
    await deliver([release(7), release(8)]);
    expect(seen.refused).toEqual([]);
    expect(seen.inForce).toEqual([8]);
    expect(stored.get(A1)?.version).toBe(8);
  });

  it("is still history when the consumer reads the topic again from the start", async () => {
    const { seen, deliver, again } = await subscriber([]);
    await deliver([release(6), release(7)]);
    await again();
    expect(seen.refused).toEqual([]);
    expect(seen.inForce).toEqual([7]);
  });

  it("remembers the versions put in force, the starting sets' too", async () => {
    const { stored, deliver } = await subscriber([], [release(6)]);
    expect(stored.get(A1)?.version).toBe(6);
    await deliver([release(7)]);
    expect(stored.get(A1)?.version).toBe(7);
  });
});

describe("a version signed with a key revoked since (compromised)", () => {
  const a2 = generateSigningKey();
  const revoked: TrustStore = {
    keys: [
      { ...trust.keys[0]!, revoked: { at: "2026-12-01T00:00:00Z", reason: "key compromised" } },
      { keyId: "a-2", publisher: "member:hotline-a", publicKey: a2.publicKeyPem },
    ],
  };
  /** the member's release signed again with its new key */
  const withA2 = (version: number) => signSet(release(version), "a-2", a2.privateKeyPem);
  const HIGHEST = Number.MAX_SAFE_INTEGER;

  it("no longer holds the set down in a process started after the revocation; a version of a key not revoked still does", async () => {
    // the compromised key published the highest version there is; the member's own key a-0 (rotated out) had put 7 in force
    const { seen, deliver } = await subscriber([remembered(HIGHEST), { ...remembered(7), signedBy: "a-0" }], [], revoked);
    await deliver([withA2(6)]);
    expect(seen.refused).toEqual([{ kind: "rollback", reason: expect.stringContaining("version 7 of it has been in force") }]);
    await deliver([withA2(8)]);
    expect(seen.inForce).toEqual([8]);
  });

  it("no longer holds the set down once the running process's trust store revokes the key", async () => {
    const { sub, seen, deliver, stored } = await subscriber([]);
    await deliver([release(HIGHEST)]);
    expect(seen.inForce).toEqual([HIGHEST]);
    expect((await sub.retrust(revoked)).withdrawn).toHaveLength(1);
    await deliver([withA2(2)]);
    expect(seen.refused).toEqual([]);
    expect(seen.inForce).toEqual([2]);
    // remembered under the key that signed each
    expect([...stored.values()].map((r) => [r.signedBy, r.version])).toEqual([["a-1", HIGHEST], ["a-2", 2]]);
  });
});

// Rotation: the old key keeps verifying sets created before its validUntil. Once its successor has signed a version of
// the set, a newer version signed with the old key (dated inside its window) is what its thief would publish.
describe("a newer release signed with a key rotated out", () => {
  const next = generateSigningKey();
  const rotated: TrustStore = {
    keys: [
      { keyId: "a-1", publisher: "member:hotline-a", publicKey: key.publicKeyPem, validUntil: "2026-12-01T00:00:00Z" },
      { keyId: "a-2", publisher: "member:hotline-a", publicKey: next.publicKeyPem, validFrom: "2026-12-01T00:00:00Z" },
    ],
  };
  const signed = (version: number, created: string, keyId: "a-1" | "a-2") => {
    const { signature: _, ...plain } = release(version);
    return signSet({ ...plain, created }, keyId, keyId === "a-1" ? key.privateKeyPem : next.privateKeyPem);
  };
  const BACKDATED = /^set hotline-a-2026-11 version 8 from member:hotline-a refused: it is signed with key a-1, retired \(its window ended\), while key a-2, which took over from it, has signed a version of this set;/;

  it("is refused once the successor key has signed the set, in a running process and after a restart", async () => {
    const running = await subscriber([], [], rotated);
    await running.deliver([signed(7, "2026-12-02T00:00:00Z", "a-2")]);
    expect(running.seen.inForce).toEqual([7]);
    await running.deliver([signed(8, "2026-11-20T00:00:00Z", "a-1")]);
    expect(running.seen.refused).toEqual([{ kind: "untrusted", reason: expect.stringMatching(BACKDATED) }]);
    expect(running.seen.inForce).toEqual([7]);
    // started after compaction left only the backdated release: the floor remembers who signed version 7
    const later = await subscriber([{ ...remembered(7), signedBy: "a-2" }], [], rotated);
    await later.deliver([signed(8, "2026-11-20T00:00:00Z", "a-1")]);
    expect(later.seen.refused).toEqual([{ kind: "untrusted", reason: expect.stringMatching(BACKDATED) }]);
    expect(later.seen.inForce).toEqual([]);
  });

  it("is taken while the successor has signed no version of the set (the old key's window still holds it)", async () => {
    const { seen, deliver } = await subscriber([remembered(7)], [], rotated);
    await deliver([signed(8, "2026-11-20T00:00:00Z", "a-1")]);
    expect(seen.refused).toEqual([]);
    expect(seen.inForce).toEqual([8]);
  });
});

