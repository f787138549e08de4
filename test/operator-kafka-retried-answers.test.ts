// kafkajs's lines in the service's log, as the on-call engineer reads them: an answer kafkajs retries by itself is
// no error (logged at error, it pages someone on every first start of a deployment).
import { describe, it, expect } from "vitest";
import { levelsOfKafkaErrors } from "./helpers/kafka-log.js";

describe("kafkajs's answers it retries by itself", () => {
  // the first start on a fresh cluster logged six of these at error (one per outbox publisher) while the broker
  // created its transaction-state topic; eosManager's initProducerId retries each (INIT_PRODUCER_RETRIABLE_PROTOCOL_ERRORS)
  it("logs InitProducerId answered by a coordinator that is not the transaction's one yet, or still loading, at debug", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Response InitProducerId(key: 22, version: 1)", { error: "This is not the correct coordinator for this group", correlationId: 5 }],
        ["Connection", "Response InitProducerId(key: 22, version: 1)", { error: "The group coordinator is not available", correlationId: 6 }],
        ["Connection", "Response InitProducerId(key: 22, version: 1)", { error: "The coordinator is loading and hence can't process requests for this group", correlationId: 7 }],
      ),
    ).toEqual([20, 20, 20]);
  });

  it("keeps InitProducerId's other answers, and those answers to the consumer group's requests, at error", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Response InitProducerId(key: 22, version: 1)", { error: "Transactional Id authorization failed" }],
        ["Connection", "Response JoinGroup(key: 11, version: 5)", { error: "This is not the correct coordinator for this group" }],
      ),
    ).toEqual([50, 50]);
  });
});

describe("kafkajs's answers its callers handle", () => {
  // two processes started together (every deploy of more than one): one's CreateTopics finds the topics the other
  // made, and each rebalance answers the members' heartbeats so; both were errors on a deploy that went well
  it("logs a rebalance's answer to Heartbeat, and CreateTopics' topic errors (already there, or thrown to the caller), at debug", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Response Heartbeat(key: 12, version: 3)", { error: "The group is rebalancing, so a rejoin is needed", correlationId: 9 }],
        ["Connection", "Response CreateTopics(key: 19, version: 3)", { error: "Topic creation errors", correlationId: 4 }],
      ),
    ).toEqual([20, 20]);
  });

  it("keeps Heartbeat's other answers, and CreateTopics' other errors, at error", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Response Heartbeat(key: 12, version: 3)", { error: "Not authorized to access group: Group authorization failed" }],
        ["Connection", "Response CreateTopics(key: 19, version: 3)", { error: "Not authorized to access topics: [Topic authorization failed]" }],
      ),
    ).toEqual([50, 50]);
  });
});

describe("a topic just made", () => {
  // ensureTopics asks again until the brokers serve the topics it made: each first start met a few of these
  it("logs Metadata and ListOffsets answered by a broker that has not taken it up yet at debug", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Response Metadata(key: 3, version: 6)", { error: "This server does not host this topic-partition", correlationId: 3 }],
        ["Connection", "Response ListOffsets(key: 2, version: 3)", { error: "This server is not the leader for that topic-partition", correlationId: 4 }],
      ),
    ).toEqual([20, 20]);
  });

  it("keeps their other answers, and those answers to other requests, at error", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Response Metadata(key: 3, version: 6)", { error: "Not authorized to access topics: [Topic authorization failed]" }],
        ["Connection", "Response Produce(key: 0, version: 7)", { error: "This server is not the leader for that topic-partition" }],
      ),
    ).toEqual([50, 50]);
  });
});

describe("a broker that restarts", () => {
  // a broker restart of ten seconds logged 32 errors, one per connection attempt of each client, and nothing after;
  // each attempt is retried, and one that never succeeds ends in the consumer's own error ("the Kafka consumer
  // stopped on an error") and /readyz's broker check
  it("logs each failed connection attempt at warn", () => {
    expect(
      levelsOfKafkaErrors(
        ["Connection", "Connection error: connect ECONNREFUSED 127.0.0.1:45981", { broker: "127.0.0.1:45981", stack: "Error: connect ECONNREFUSED" }],
        ["BrokerPool", "Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:45981", { retryCount: 0 }],
        ["Connection", "Connection timeout", { broker: "127.0.0.1:45981" }],
      ),
    ).toEqual([40, 40, 40]);
  });

  it("keeps the consumer's crash and a request's refusal at error", () => {
    expect(
      levelsOfKafkaErrors(
        ["Consumer", "Crash: KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:45981", { retryCount: 5 }],
        ["Connection", "Response Produce(key: 0, version: 7)", { error: "Not authorized to access topics: [Topic authorization failed]" }],
      ),
    ).toEqual([50, 50]);
  });
});
