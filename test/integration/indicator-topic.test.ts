// Indicator sets shared over the compacted topic reach a running consumer live: a signed set published while it
// runs is in force for the events after it; a newer version replaces it, a tampered copy is refused and the set in
// force stays; a set with TLP:RED entries never reaches the topic.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { publishSet } from "../../src/indicators/distribution.js";
import { SAMPLE_DIR } from "../../src/lib/paths.js";
import { SAMPLE_KEY_ID } from "../../src/fixtures/write-sample.js";
import type { Alert } from "../../src/decode/events.js";
import { casesAndAlerts, createTopics, freshNames, freshSchema, ids, kafka, produce, replayAlerts, sampleLines, sampleSetSigning, startRunner, waitCaughtUp, until } from "./harness.js";

describe("indicator sets over Kafka", () => {
  it("are taken live by a running consumer when trusted and newer, refused otherwise", { timeout: 180_000 }, async () => {
    const n = freshNames("ind-topic");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const topic = `${n.id}.indicator-sets`;
    const { v1: signed, sign } = sampleSetSigning();
    // no directory of sets: everything arrives over the topic
    const runner = await startRunner(n, url, { indicators: undefined, indicatorTopic: topic, trustStore: join(SAMPLE_DIR, "trust.json") });
    try {
      expect(runner.indicatorSets).toEqual([]);
      await publishSet(kafka(), topic, signed);
      await until("the set in force", () => runner.indicatorSets.some((s) => s.id === signed.id));
      expect(runner.indicatorSets).toEqual([expect.objectContaining({ id: signed.id, version: 1, signedBy: SAMPLE_KEY_ID })]);

      // a tampered copy of a newer version is refused; an older version is ignored; the set in force stays
      await publishSet(kafka(), topic, { ...signed, version: 2, entries: signed.entries.slice(1) });
      const refused = async () => (await runner.metrics.indicatorRefusals.get()).values.reduce((n, v) => n + v.value, 0);
      const start = Date.now();
      while ((await refused()) < 1 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 100));
      expect(await refused()).toBe(1);
      expect(runner.indicatorSets).toEqual([expect.objectContaining({ id: signed.id, version: 1 })]);

      // a trusted newer version replaces the one in force, live
      await publishSet(kafka(), topic, sign({ ...signed, version: 2, entries: signed.entries.slice(1) }));
      await until("version 2 in force", () => runner.indicatorSets.some((s) => s.version === 2));
      expect(runner.indicatorSets).toEqual([expect.objectContaining({ id: signed.id, version: 2, entries: signed.entries.length - 1 })]);
      await publishSet(kafka(), topic, sign({ ...signed, version: 4 }));
      await until("version 4 in force", () => runner.indicatorSets.some((s) => s.version === 4));

      // TLP:RED entries never reach the topic
      const red = sign({ ...signed, version: 5, entries: [{ ...signed.entries[0]!, tlp: "red" }] });
      await expect(publishSet(kafka(), topic, red)).rejects.toThrow(/TLP:RED/);

      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    // with the sample set taken from the topic, the run alerts exactly as replay does with it from the directory
    const { alerts } = await casesAndAlerts(url);
    const expected: Alert[] = await replayAlerts();
    expect(ids(alerts)).toEqual(ids(expected));
  });
});
