// backtest --topic takes what `run` takes from the same topic: an event whose message is keyed by another merchant, or
// not keyed, is refused as run dead-letters it (its owner would build a second state of the merchant), and a
// tombstone is said to be one, not "empty".
import { describe, expect, it } from "vitest";
import { CompressionTypes } from "kafkajs";
import { readTopicRange } from "../../src/source/kafka-range.js";
import { backtest, BacktestResult } from "../../src/app/backtest.js";
import { decodeMessage, DEFAULT_MAX_BYTES } from "../../src/decode/decode.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { IndicatorIndex } from "../../src/indicators/index.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { keyOf } from "../../src/app/produce.js";
import { createTopics, freshNames, kafka, produce, sampleLines } from "./harness.js";

describe("backtest from a topic: keys and tombstones", () => {
  it("refuses what run dead-letters: a message keyed by another merchant, one without a key, a tombstone", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-keys");
    await createTopics(n, 2);
    const lines = sampleLines();
    const good = lines.slice(0, 40);
    await produce(n.events, good);
    const [other, unkeyed, removed] = lines.slice(40, 43) as [string, string, string];
    const someoneElse = keyOf(lines.find((l) => keyOf(l) !== keyOf(other))!);
    const producer = kafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: n.events,
      acks: -1,
      compression: CompressionTypes.None,
      messages: [
        { key: someoneElse, value: other },
        { key: null, value: unkeyed },
        { key: keyOf(removed), value: null },
      ],
    });
    await producer.disconnect();

    const rs = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const r = BacktestResult.parse(
      await backtest({ events: { name: `topic ${n.events}`, batches: readTopicRange(kafka(), n.events) }, baseline: rs, candidate: rs, indicators: new IndicatorIndex() }),
    );
    expect(r.events.processed).toBe(good.length);
    expect(r.events.rejected).toMatchObject({ total: 3, schema: 2, "not-json": 1 });
    // the report carries no event text: the key a message came with is the producer's
    expect(JSON.stringify(r)).not.toContain(JSON.stringify(someoneElse).slice(1, -1));
    expect(r.events.rejected.reasons.map((x) => x.reason)).toContainEqual(expect.stringMatching(/^schema: key: the message's key is "…", not the event's merchantId/));

    // each for the reason run gives it
    const read = [];
    for await (const batch of readTopicRange(kafka(), n.events)) read.push(...batch);
    const reasons = read.map((m) => decodeMessage(m, DEFAULT_MAX_BYTES)).flatMap((d) => (d.ok ? [] : [d.reason]));
    expect(reasons).toHaveLength(3);
    expect(reasons).toEqual(expect.arrayContaining([
      expect.stringMatching(/^schema: key: the message's key is ".*", not the event's merchantId/),
      expect.stringMatching(/^schema: key: the message has no key/),
      expect.stringMatching(/^not JSON: the message has no value \(a tombstone\)/),
    ]));
  });
});
