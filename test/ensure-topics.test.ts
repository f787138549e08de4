// ensureTopics' wait for topics it made, with a stand-in admin whose answers are scripted: a KRaft broker learns of a
// topic a moment after its controller answered CreateTopics, and lists a partition's leader a moment before that
// leader serves it. Against a real broker: test/integration/ensure-topics.test.ts.
import { describe, it, expect } from "vitest";
import kafkajs, { type Admin, type PartitionMetadata } from "kafkajs";
import { ensureTopics } from "../src/source/kafka.js";
import { UnreachableError } from "../src/lib/errors.js";

const UNKNOWN = { type: "UNKNOWN_TOPIC_OR_PARTITION", code: 3, retriable: true, message: "This server does not host this topic-partition" };
const NOT_LEADER = { type: "NOT_LEADER_FOR_PARTITION", code: 6, retriable: true, message: "This server is not the leader for that topic-partition" };
const UNAUTHORIZED = { type: "TOPIC_AUTHORIZATION_FAILED", code: 29, retriable: false, message: "Not authorized to access topics: [Topic authorization failed]" };
type Answer = typeof UNKNOWN;
const protocolError = (e: Answer) => new kafkajs.KafkaJSProtocolError(e as never);

const partitions = (n: number, leader = 1): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader, replicas: [leader], isr: [leader] }));

/** The answers of each call, in turn (the last one again once they run out): a list of topics, or an error. */
interface Script {
  existing?: string[];
  metadata: (Record<string, PartitionMetadata[]> | Answer)[];
  offsets?: (true | Answer)[];
}

/** A stand-in admin answering as `script` says, and what was asked of it, in order. */
function scripted(script: Script): { admin: Admin; asked: string[] } {
  const asked: string[] = [];
  let metadata = 0;
  let offsets = 0;
  const next = <T>(list: T[], i: number) => list[Math.min(i, list.length - 1)]!;
  const admin = {
    listTopics: async () => (asked.push("listTopics"), script.existing ?? []),
    createTopics: async (o: { topics: { topic: string }[]; waitForLeaders?: boolean }) => {
      asked.push(`createTopics ${o.topics.map((t) => t.topic).join(",")} waitForLeaders=${o.waitForLeaders}`);
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      asked.push(`fetchTopicMetadata ${topics.join(",")}`);
      const answer = next(script.metadata, metadata++);
      if ("type" in answer) throw protocolError(answer as Answer);
      return { topics: Object.entries(answer).map(([name, p]) => ({ name, partitions: p })) };
    },
    fetchTopicOffsets: async (topic: string) => {
      asked.push(`fetchTopicOffsets ${topic}`);
      const answer = next<true | Answer>(script.offsets ?? [true], offsets++);
      if (answer !== true) throw protocolError(answer);
      return [];
    },
  };
  return { admin: admin as unknown as Admin, asked };
}

describe("ensureTopics", () => {
  it("returns only once the metadata lists every topic it made with a leader for each partition, and the leaders answer for them", async () => {
    const { admin, asked } = scripted({
      metadata: [UNKNOWN, { "ev-x": partitions(6) }, { "ev-x": partitions(6), "al-x": partitions(6, -1) }, { "ev-x": partitions(6), "al-x": partitions(6) }],
      offsets: [true, NOT_LEADER, true],
    });
    await ensureTopics(admin, [
      { topic: "ev-x", partitions: 6 },
      { topic: "al-x", partitions: 6 },
    ]);
    expect(asked).toEqual([
      "listTopics",
      "createTopics ev-x,al-x waitForLeaders=false",
      // the broker does not know the topics yet
      "fetchTopicMetadata ev-x,al-x",
      // it knows one of them
      "fetchTopicMetadata ev-x,al-x",
      // it knows both, one without leaders
      "fetchTopicMetadata ev-x,al-x",
      // listed with leaders, but one leader does not serve its partition yet
      "fetchTopicMetadata ev-x,al-x",
      "fetchTopicOffsets ev-x",
      "fetchTopicOffsets al-x",
      "fetchTopicMetadata ev-x,al-x",
      "fetchTopicOffsets ev-x",
      "fetchTopicOffsets al-x",
    ]);
  });

  it("waits for none of the topics that were there already", async () => {
    const { admin, asked } = scripted({ existing: ["ev-x"], metadata: [{ "dl-x": partitions(6) }] });
    await ensureTopics(admin, [
      { topic: "ev-x", partitions: 6 },
      { topic: "dl-x", partitions: 6 },
    ]);
    expect(asked).toEqual(["listTopics", "createTopics dl-x waitForLeaders=false", "fetchTopicMetadata dl-x", "fetchTopicOffsets dl-x"]);
    const there = scripted({ existing: ["ev-x"], metadata: [UNKNOWN] });
    await ensureTopics(there.admin, [{ topic: "ev-x", partitions: 6 }]);
    expect(there.asked).toEqual(["listTopics"]);
  });

  it("says, once the wait is over, which topic the metadata still lacks and what to check, not the brokers' addresses", async () => {
    const { admin } = scripted({ metadata: [{ "ev-x": partitions(6) }] });
    const err = await ensureTopics(admin, [{ topic: "ev-x", partitions: 6 }, { topic: "al-x", partitions: 6 }], 400).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toBe(
      "Kafka created the topics ev-x, al-x, but 0.4 s later its metadata does not list al-x: the brokers have not taken up the new topics (a broker behind its controller, overloaded or restarting, or partitions placed on a broker that is down); check the brokers' logs and `kafka-topics --describe --topic ev-x`, then try again",
    );
  });

  it("names the partitions without a leader, and the broker's last answer", async () => {
    const led = scripted({ metadata: [{ "ev-x": [...partitions(4), ...partitions(2, -1).map((p) => ({ ...p, partitionId: p.partitionId + 4 }))] }] });
    await expect(ensureTopics(led.admin, [{ topic: "ev-x", partitions: 6 }], 300)).rejects.toThrow(/ 0\.3 s later its metadata lists no leader for partitions 4, 5 of ev-x: /);
    const served = scripted({ metadata: [{ "ev-x": partitions(6) }], offsets: [NOT_LEADER] });
    await expect(ensureTopics(served.admin, [{ topic: "ev-x", partitions: 6 }], 300)).rejects.toThrow(
      / 0\.3 s later a partition's leader still answers "This server is not the leader for that topic-partition": /,
    );
  });

  it("throws any other answer at once", async () => {
    const { admin, asked } = scripted({ metadata: [UNAUTHORIZED] });
    await expect(ensureTopics(admin, [{ topic: "ev-x", partitions: 6 }])).rejects.toThrow("Not authorized to access topics");
    expect(asked.filter((a) => a.startsWith("fetchTopicMetadata"))).toHaveLength(1);
  });
});
