// A coalition member that misbehaves (a faulty tool, or on purpose): what it puts on the topic or hands over as a file
// is refused with the reason and what to do, and the sets in force stay.
import { describe, expect, it } from "vitest";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { IndicatorSubscriber, topicKey } from "../src/indicators/distribution.js";
import { readIndicatorSet } from "../src/indicators/index.js";
import { ConfigError, whatToDo } from "../src/lib/errors.js";
import { FORMAT, INDICATOR_SET_MAX_BYTES, IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet, type TrustStore } from "../src/indicators/sign.js";

const hotline = generateSigningKey();
const rogue = generateSigningKey();
const trust: TrustStore = {
  keys: [
    { keyId: "hotline-1", publisher: "member:hotline-x", publicKey: hotline.publicKeyPem },
    { keyId: "rogue-1", publisher: "member:rogue", publicKey: rogue.publicKeyPem },
  ],
};
const set = (publisher: string, id: string, version: number): IndicatorSet =>
  IndicatorSet.parse({
    format: FORMAT,
    id,
    version,
    publisher: { id: publisher },
    created: "2026-11-01T00:00:00Z",
    entries: [{ id: "e-1", kind: "domain", value: "flagged-gallery.example", confidence: 90 }],
  });
const hotlineSet = signSet(set("member:hotline-x", "hotline-x-2026-11", 3), "hotline-1", hotline.privateKeyPem);

type Message = { key: Buffer | null; value: Buffer | null };

/** A subscriber over a stand-in consumer (as in indicator-distribution.test.ts): raw() hands it a batch. */
async function subscriber(initial: IndicatorSet[]) {
  let eachBatch: ((p: { batch: { messages: Message[] } }) => Promise<void>) | undefined;
  const kafka = {
    consumer: () => ({
      connect: async () => {},
      subscribe: async () => {},
      run: async (o: { eachBatch: typeof eachBatch }) => void (eachBatch = o.eachBatch),
      disconnect: async () => {},
    }),
  } as unknown as Kafka;
  const seen = { inForce: initial, refused: [] as { key: string | null; reason: string; kind: string }[] };
  const sub = new IndicatorSubscriber(
    { kafka, topic: "t", trust, onChange: (s) => (seen.inForce = s), onRefused: (key, reason, kind) => seen.refused.push({ key, reason, kind }) },
    initial,
  );
  await sub.start();
  const raw = (...messages: Message[]) => eachBatch!({ batch: { messages } });
  return { seen, raw };
}

const inForce = (sets: IndicatorSet[]) => sets.map((s) => `${s.publisher.id} ${s.id} v${s.version}`);

describe("a misbehaving member on the topic", () => {
  it("refuses a set sent under another publisher's message key: compaction would erase that publisher's set", async () => {
    const { seen, raw } = await subscriber([hotlineSet]);
    const own = signSet(set("member:rogue", "rogue-2026-11", 1), "rogue-1", rogue.privateKeyPem);
    await raw({ key: Buffer.from(topicKey(hotlineSet)), value: Buffer.from(JSON.stringify(own)) });
    expect(seen.refused).toEqual([
      {
        key: topicKey(hotlineSet),
        kind: "publisher",
        reason: `set rogue-2026-11 from member:rogue refused: it came under the message key ${topicKey(hotlineSet)}, not its own ${topicKey(own)}, and on the compacted topic it would erase member:hotline-x's set hotline-x-2026-11; member:rogue should publish it with moneytrail indicators publish, which keys it by its publisher and set id`,
      },
    ]);
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
  });
});

describe("a huge set", () => {
  // gzip takes a repetitive set to a thousandth: a message the topic takes (32 MiB compressed) could be gigabytes of
  // JSON, parsed in every member's consumer process
  it("is refused from the topic by its size, before it is parsed", async () => {
    const { seen, raw } = await subscriber([hotlineSet]);
    const huge = Buffer.alloc(INDICATOR_SET_MAX_BYTES + 1, " ");
    huge.write("{}");
    await raw({ key: Buffer.from(topicKey(hotlineSet)), value: huge });
    expect(seen.refused).toEqual([
      {
        key: topicKey(hotlineSet),
        kind: "invalid",
        reason: `set ${topicKey(hotlineSet)} is ${INDICATOR_SET_MAX_BYTES + 1} bytes of JSON, more than a set may have (${INDICATOR_SET_MAX_BYTES}): not read; its publisher should split it into sets of their own`,
      },
    ]);
    expect(inForce(seen.inForce)).toEqual(["member:hotline-x hotline-x-2026-11 v3"]);
  });

  it("is refused as a file by its size, before it is read", () => {
    const file = join(mkdtempSync(join(tmpdir(), "member-huge-")), "huge.json");
    writeFileSync(file, "");
    // a sparse file: its size without writing it
    truncateSync(file, INDICATOR_SET_MAX_BYTES + 1);
    let err: unknown;
    try {
      readIndicatorSet(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `${file}: (top level): ${INDICATOR_SET_MAX_BYTES + 1} bytes, more than an indicator set may have (${INDICATOR_SET_MAX_BYTES}): not read`,
    );
    expect(whatToDo(err as ConfigError)).toBe("Split the set into sets of their own (each with its own id), or ask its publisher to; nothing was loaded.");
  });
});
