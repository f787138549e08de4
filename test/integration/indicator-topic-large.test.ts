// A member's set of tens of thousands of entries is megabytes of JSON, past the broker's default of 1 MB a message:
// publish compresses it onto a topic made to take it, a running subscriber puts it in force, and a topic whose limit
// is still too small refuses it with what to do.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { INDICATOR_TOPIC_MAX_BYTES, IndicatorSubscriber, publishSet } from "../../src/indicators/distribution.js";
import { FORMAT, IndicatorSet } from "../../src/indicators/schema.js";
import { UsageError } from "../../src/lib/errors.js";
import { freshNames, kafka, makeTopics, until } from "./harness.js";

// hashes compress least: 40k of them are about 6 MB of JSON, 3 MB gzipped
const large = (): IndicatorSet =>
  IndicatorSet.parse({
    format: FORMAT,
    id: "hotline-a-hashed",
    publisher: { id: "member:hotline-a" },
    version: 1,
    created: "2026-11-01T00:00:00Z",
    entries: Array.from({ length: 40_000 }, (_, i) => ({ id: `h-${i}`, kind: "url-sha256", value: `sha256:${randomBytes(32).toString("hex")}`, confidence: 80, tlp: "amber" })),
  });

describe("a large indicator set on the topic", () => {
  it("is published and taken by a running subscriber", { timeout: 120_000 }, async () => {
    const topic = `${freshNames("ind-large").id}.indicator-sets`;
    const set = large();
    let inForce: IndicatorSet[] = [];
    const refused: string[] = [];
    const sub = new IndicatorSubscriber({ kafka: kafka(), topic, onChange: (s) => (inForce = s), onRefused: (_, r) => refused.push(r) });
    await publishSet(kafka(), topic, set);
    await sub.start();
    try {
      await until("the large set in force", () => inForce.length === 1, 60_000);
      expect(inForce[0]!.entries).toHaveLength(40_000);
      expect(refused).toEqual([]);
    } finally {
      await sub.stop();
    }
    const admin = kafka().admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ["max.message.bytes"] }] });
      expect(resources[0]!.configEntries[0]!.configValue).toBe(String(INDICATOR_TOPIC_MAX_BYTES));
    } finally {
      await admin.disconnect();
    }
  });

  it("is refused with what to do by a topic that takes less", { timeout: 120_000 }, async () => {
    const topic = `${freshNames("ind-small").id}.indicator-sets`;
    await makeTopics([topic], 1, { "max.message.bytes": String(1024 * 1024) });
    const err = await publishSet(kafka(), topic, large(), "hashed.json").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      new RegExp(`^hashed\\.json \\(40000 entries, \\d+ bytes of JSON\\) is more than topic ${topic.replaceAll(".", "\\.")} takes in one message, even compressed: split it into sets of their own, or raise the topic's limit \\(kafka-configs\\.sh .*--entity-name ${topic.replaceAll(".", "\\.")} --add-config max\\.message\\.bytes=33554432\\); nothing was published$`),
    );
  });
});
