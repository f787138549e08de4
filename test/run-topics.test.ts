// `run` creates the topics it does not find: one typed wrong became a new, empty topic that the consumer waited on
// in silence. The topics made are named, and one a letter or two off a topic the cluster has is said as a typo.
import { describe, it, expect } from "vitest";
import { madeTopics, runTopics, typoWarning } from "../src/app/run/topics.js";

const cfg = { eventsTopic: "mt.merchant-event", alertsTopic: "mt.alerts", deadLetterTopic: "mt.dead-letter", indicatorTopic: "mt.indicator-sets" };

describe("the topics run made at start", () => {
  it("are those the cluster did not have, each with its setting, a typo with the topic likely meant", () => {
    const had = ["mt.merchant-events", "mt.alerts", "__consumer_offsets", "other.topic"];
    expect(madeTopics(runTopics(cfg), had)).toEqual([
      { topic: "mt.merchant-event", setting: "MT_EVENTS_TOPIC", meant: "mt.merchant-events" },
      { topic: "mt.dead-letter", setting: "MT_DEAD_LETTER_TOPIC" },
      { topic: "mt.indicator-sets", setting: "MT_INDICATOR_TOPIC" },
    ]);
  });

  it("are none when the cluster had them all; a topic of run's own is no typo of another", () => {
    expect(madeTopics(runTopics(cfg), Object.values(cfg))).toEqual([]);
    // a second group's alerts topic: mt.alerts-2 alone is no typo; beside mt.alerts it is said, as a question ("if that is the topic meant")
    const second = { ...cfg, eventsTopic: "mt.merchant-events", alertsTopic: "mt.alerts-2" };
    expect(madeTopics(runTopics(second), ["mt.merchant-events", "mt.dead-letter", "mt.indicator-sets"])).toEqual([{ topic: "mt.alerts-2", setting: "MT_ALERTS_TOPIC" }]);
    expect(madeTopics(runTopics(second), ["mt.merchant-events", "mt.alerts", "mt.dead-letter", "mt.indicator-sets"])).toEqual([
      { topic: "mt.alerts-2", setting: "MT_ALERTS_TOPIC", meant: "mt.alerts" },
    ]);
  });

  it("a typo's warning says what to set and what to delete", () => {
    expect(typoWarning({ topic: "mt.merchant-event", setting: "MT_EVENTS_TOPIC" }, "mt.merchant-events")).toBe(
      "the topic mt.merchant-event (MT_EVENTS_TOPIC) did not exist and was created, empty, while the cluster has mt.merchant-events: if that is the topic meant, stop, set MT_EVENTS_TOPIC=mt.merchant-events, start again, and delete the new one (kafka-topics --delete --topic mt.merchant-event)",
    );
  });
});
