// What `run` says of the topics it makes at start. A topic that does not exist is created (6 partitions), so a
// topic name typed wrong (MT_EVENTS_TOPIC=mt.merchant-event) made a new, empty topic: the start looked like any
// other, the consumer waited on it for ever and the producers' topic was never read. Each topic made is named with
// its setting, and one a letter or two off a topic the cluster has is said as a likely typo, with what to do.
import { meant } from "../../lib/did-you-mean.js";
import type { RunConfig } from "../../config/run.js";

/** A topic run creates when missing, with the setting that names it. */
export interface NamedTopic {
  topic: string;
  setting: string;
}

export const runTopics = (cfg: Pick<RunConfig, "eventsTopic" | "alertsTopic" | "deadLetterTopic" | "indicatorTopic">): NamedTopic[] => [
  { topic: cfg.eventsTopic, setting: "MT_EVENTS_TOPIC" },
  { topic: cfg.alertsTopic, setting: "MT_ALERTS_TOPIC" },
  { topic: cfg.deadLetterTopic, setting: "MT_DEAD_LETTER_TOPIC" },
  { topic: cfg.indicatorTopic, setting: "MT_INDICATOR_TOPIC" },
];

export interface MadeTopic extends NamedTopic {
  /** a topic the cluster had, a letter or two off this one: the one likely meant */
  meant?: string;
}

/** Of `topics`, those the cluster did not have (`had`, listed before the start made any), each with the topic it likely meant. */
export function madeTopics(topics: NamedTopic[], had: readonly string[]): MadeTopic[] {
  const own = new Set(topics.map((t) => t.topic));
  // another of run's own topics is no typo of this one (mt.alerts beside a group's mt.alerts-2)
  const others = had.filter((t) => !own.has(t) && !t.startsWith("__"));
  return topics
    .filter((t) => !had.includes(t.topic))
    .map((t) => {
      const m = meant(t.topic, others);
      return m ? { ...t, meant: m } : t;
    });
}

/** The warning for a topic made that is a letter or two off one the cluster had. */
export const typoWarning = (t: NamedTopic, meant: string): string =>
  `the topic ${t.topic} (${t.setting}) did not exist and was created, empty, while the cluster has ${meant}: if that is the topic meant, stop, set ${t.setting}=${meant}, start again, and delete the new one (kafka-topics --delete --topic ${t.topic})`;
