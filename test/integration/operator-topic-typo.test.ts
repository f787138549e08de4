// An operator's first start with a topic name typed wrong (MT_EVENTS_TOPIC one letter short): run created it, empty,
// logged nothing of it, and consumed nothing while the producers' topic was never read. Now each topic the start made
// is named with its setting, and one a letter or two off a topic the cluster has is a warning saying what to do.
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { createTopics, freshNames, freshSchema, startRunner } from "./harness.js";

const madeLine = (l: { msg: string }) => l.msg.includes(" did not exist");

describe("a start on topics that did not exist", () => {
  it("names each topic it made; one a letter off a topic the cluster has is a warning with the setting to correct", { timeout: 120_000 }, async () => {
    const n = freshNames("topic-typo");
    await createTopics(n, 1);
    const typo = n.events.slice(0, -1);
    const indicatorTopic = `${n.id}.indicator-sets`;
    const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
    const url = await freshSchema(n);
    const runner = await startRunner(n, url, { eventsTopic: typo, indicatorTopic }, createLogger("info", { write: (l: string) => void lines.push(JSON.parse(l)) }));
    try {
      const made = lines.filter(madeLine);
      expect(made).toEqual([
        expect.objectContaining({
          level: 40,
          topic: typo,
          setting: "MT_EVENTS_TOPIC",
          meant: n.events,
          msg: `the topic ${typo} (MT_EVENTS_TOPIC) did not exist and was created, empty, while the cluster has ${n.events}: if that is the topic meant, stop, set MT_EVENTS_TOPIC=${n.events}, start again, and delete the new one (kafka-topics --delete --topic ${typo})`,
        }),
        expect.objectContaining({ level: 30, topic: indicatorTopic, setting: "MT_INDICATOR_TOPIC", msg: `created the topic ${indicatorTopic} (MT_INDICATOR_TOPIC): it did not exist` }),
      ]);
    } finally {
      await runner.stop();
    }
    // a start again on the same topics names none: they exist now
    lines.length = 0;
    const again = await startRunner(n, url, { eventsTopic: typo, indicatorTopic }, createLogger("info", { write: (l: string) => void lines.push(JSON.parse(l)) }));
    await again.stop();
    expect(lines.filter(madeLine)).toEqual([]);
  });
});
