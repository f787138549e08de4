// A backtest over events recorded on a Kafka topic (several partitions) gives what the same backtest over the file
// gives: the topic is read up to its end as of the start, each merchant's order kept.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { backtest, labelsFromFile } from "../../src/app/backtest.js";
import { readLineBatches } from "../../src/source/ndjson.js";
import { readTopicRange } from "../../src/source/kafka-range.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../../src/lib/paths.js";
import { SAMPLE_EVENTS, SAMPLE_INDICATORS, createTopics, freshNames, kafka, produce, sampleLines } from "./harness.js";

describe("backtest from a topic", () => {
  it("equals the backtest of the same events from the file, and honours an offset window", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-topic");
    await createTopics(n, 3);
    const lines = sampleLines();
    await produce(n.events, lines);
    const rs = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const common = { baseline: rs, candidate: rs, truth: labelsFromFile(join(SAMPLE_DIR, "labels.json")) };
    const fromFile = await backtest({ ...common, events: { name: "file", batches: readLineBatches(SAMPLE_EVENTS) }, indicators: loadIndicators(SAMPLE_INDICATORS) });
    let seen = 0;
    const fromTopic = await backtest({
      ...common,
      events: { name: "topic", batches: readTopicRange(kafka(), n.events, (done) => (seen = done)) },
      indicators: loadIndicators(SAMPLE_INDICATORS),
    });
    expect(seen).toBe(lines.length);
    expect(fromTopic.events.processed).toBe(lines.length);
    expect(fromTopic.overall).toEqual(fromFile.overall);
    expect(fromTopic.rules.map((r) => [r.rule, r.a?.hits])).toEqual(fromFile.rules.map((r) => [r.rule, r.a?.hits]));
    // a window of offsets: the first 100 of every partition
    const windowed = await backtest({
      ...common,
      events: { name: "topic", batches: readTopicRange(kafka(), n.events, undefined, { to: 99 }) },
      indicators: loadIndicators(SAMPLE_INDICATORS),
    });
    expect(windowed.events.processed).toBe(300);
  });
});
