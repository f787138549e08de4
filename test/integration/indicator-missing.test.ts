// A set erased from the compacted indicator topic: a tombstone (or another message) under its key leaves, after
// compaction, nothing of its release, and a process started then runs without the set. It was refused and logged
// at the offset, but nothing said that a set in force before is gone. Now a process that has read the topic to its end
// compares the sets in force with those recorded in PostgreSQL (mt_indicator_versions): each one missing is logged
// with what to do and shown by moneytrail_indicator_sets_missing, until its publisher publishes it again. A topic of
// its own, holding only the tombstone, stands for the compacted one.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { publishSet, topicKey } from "../../src/indicators/distribution.js";
import { IndicatorSet } from "../../src/indicators/schema.js";
import { SAMPLE_DIR } from "../../src/lib/paths.js";
import { createLogger } from "../../src/lib/log.js";
import type { Runner } from "../../src/app/run.js";
import { SAMPLE_INDICATORS, createTopics, freshNames, freshSchema, kafka, startRunner, until } from "./harness.js";

const missing = async (runner: Runner) => (await runner.metrics.indicatorSetsMissing.get()).values.filter((v) => v.value === 1).map((v) => v.labels);

describe("an indicator set erased from the topic", () => {
  it("is logged and shown as missing by a process started later, until it is published again", { timeout: 180_000 }, async () => {
    const n = freshNames("ind-missing");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const set = IndicatorSet.parse(JSON.parse(readFileSync(join(SAMPLE_INDICATORS, "coalition-sample.json"), "utf8")));
    const over = { indicators: undefined, trustStore: join(SAMPLE_DIR, "trust.json") };

    const topic = `${n.id}.indicator-sets`;
    const first = await startRunner(n, url, { ...over, indicatorTopic: topic });
    try {
      await publishSet(kafka(), topic, set);
      await until("the set in force", () => first.indicatorSets.some((s) => s.id === set.id));
      expect(await missing(first)).toEqual([]);
    } finally {
      await first.stop();
    }

    const compacted = `${n.id}.indicator-sets-compacted`;
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic: compacted, messages: [{ key: topicKey(set), value: null }] });
    await producer.disconnect();
    const logged: { level: number; msg: string; missing?: unknown }[] = [];
    const later = await startRunner(n, url, { ...over, indicatorTopic: compacted }, createLogger("info", { write: (line: string) => void logged.push(JSON.parse(line)) }));
    try {
      await until("the set shown missing", async () => (await missing(later)).length === 1);
      expect(await missing(later)).toEqual([{ publisher: set.publisher.id, set: set.id }]);
      const said = logged.find((l) => l.msg.startsWith("indicator sets in force before this process started are not in force now"));
      expect(said?.level).toBe(50);
      expect(said?.msg).toContain("ask each publisher to publish its set again (moneytrail indicators publish)");
      expect(said?.missing).toEqual([{ publisher: set.publisher.id, setId: set.id, version: set.version }]);
      expect(later.indicatorSets).toEqual([]);

      await publishSet(kafka(), compacted, set);
      await until("the set in force again", () => later.indicatorSets.some((s) => s.id === set.id));
      await until("no set missing", async () => (await missing(later)).length === 0);
      expect(logged.some((l) => l.msg === "every indicator set in force before this process started is in force again")).toBe(true);
    } finally {
      await later.stop();
    }
  });
});
