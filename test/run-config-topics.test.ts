// `moneytrail run` refuses, before it connects anywhere, topic names Kafka would refuse and one topic given for two
// uses: a name the broker refused failed the start after connecting, as "Kafka ... answered, then failed (Topic
// creation errors); can this host reach the addresses the brokers advertise?" (exit code 1), and a dead-letter topic
// that is the events topic would have every dead letter read again and dead-lettered again without end.
import { describe, it, expect } from "vitest";
import { runConfig } from "../src/config/run.js";

describe("run configuration: the topics", () => {
  const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };
  const withFlags = new Set(["eventsTopic", "alertsTopic", "deadLetterTopic"]);

  it("refuses a name Kafka does not take, saying what a name is", () => {
    for (const bad of ["mt dead-letter", "mt/alerts", "..", "x".repeat(250)])
      expect(() => runConfig({ ...env, MT_DEAD_LETTER_TOPIC: bad }, {}, withFlags)).toThrow(/\n {2}MT_DEAD_LETTER_TOPIC \(--dead-letter-topic\): a Kafka topic name (is 1 to 249 letters, digits, '\.', '_' or '-'|cannot be '\.' or '\.\.')$/);
    expect(runConfig({ ...env, MT_EVENTS_TOPIC: "bank_1.merchant-events", MT_INDICATOR_TOPIC: "x".repeat(249) })).toMatchObject({ eventsTopic: "bank_1.merchant-events" });
  });

  it("refuses one topic for two uses, naming both settings", () => {
    expect(() => runConfig({ ...env, MT_EVENTS_TOPIC: "ev", MT_DEAD_LETTER_TOPIC: "ev" }, {}, withFlags)).toThrow(
      /\n {2}MT_DEAD_LETTER_TOPIC \(--dead-letter-topic\): the same topic \(ev\) as MT_EVENTS_TOPIC: the events, alerts, dead-letter and indicator-set topics must be four different topics$/,
    );
    // a default counts: the alerts topic given the events topic's default name
    expect(() => runConfig({ ...env, MT_ALERTS_TOPIC: "mt.merchant-events" })).toThrow(/\n {2}MT_ALERTS_TOPIC: the same topic \(mt\.merchant-events\) as MT_EVENTS_TOPIC/);
    expect(() => runConfig({ ...env, MT_INDICATOR_TOPIC: "mt.alerts" })).toThrow(/\n {2}MT_INDICATOR_TOPIC: the same topic \(mt\.alerts\) as MT_ALERTS_TOPIC/);
    expect(runConfig(env)).toMatchObject({ eventsTopic: "mt.merchant-events", alertsTopic: "mt.alerts", deadLetterTopic: "mt.dead-letter", indicatorTopic: "mt.indicator-sets" });
  });
});
