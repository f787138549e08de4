// A set refused on the indicator topic was logged with its message key only: an operator looking for the message
// (to read it with kafka-console-consumer, or to see who wrote it) had to search the whole topic. The refusal now
// names the message's partition and offset.
import { describe, expect, it } from "vitest";
import { IndicatorSubscriber } from "../../src/indicators/distribution.js";
import { indicatorTopicWith, kafka, until } from "./harness.js";

describe("a set refused on the indicator topic", () => {
  it("is reported with the message's partition and offset", { timeout: 60_000 }, async () => {
    const topic = await indicatorTopicWith("ind-place", [
      { key: "member:x/set-a", value: "not a set" },
      { key: "member:x/set-b", value: "{}" },
    ]);
    const refused: { key: string | null; at?: { partition: number; offset: string } }[] = [];
    const sub = new IndicatorSubscriber({ kafka: kafka(), topic, onChange: () => undefined, onRefused: (key, _reason, _kind, at) => refused.push({ key, at }) });
    await sub.start();
    try {
      await until("both refused", () => refused.length === 2, 30_000);
    } finally {
      await sub.stop();
    }
    expect(refused).toEqual([
      { key: "member:x/set-a", at: { partition: 0, offset: "0" } },
      { key: "member:x/set-b", at: { partition: 0, offset: "1" } },
    ]);
  });
});
