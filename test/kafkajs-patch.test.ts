// kafkajs 2.2.4 drops the records of aborted transactions on the reading side (read_committed) from the list the
// broker sends, which it assumed sorted by first offset. The broker sends it in the order the abort markers were
// written: after a publisher is killed mid-transaction on two partitions, the survivor's takeover aborts both, and
// the one that began first may be listed second. patches/kafkajs+2.2.4.patch (applied by `npm ci`, postinstall)
// sorts the list and enters every transaction that has begun. This is the case seen on a real broker's log.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const filterAbortedMessages = require("kafkajs/src/consumer/filterAbortedMessages") as (o: {
  messages: { offset: string; key: Buffer | null; value: string; batchContext: { producerId: string; inTransaction: boolean } }[];
  abortedTransactions: { producerId: string; firstOffset: string }[];
}) => { value: string }[];

const record = (offset: number, producerId: string, value: string) => ({
  offset: String(offset),
  key: null,
  value,
  batchContext: { producerId, inTransaction: true },
});
const abortMarker = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  value: "abort",
  batchContext: { producerId, inTransaction: true },
});

describe("kafkajs read_committed, patched", () => {
  it("drops both aborted transactions when the broker lists the later-begun one first", () => {
    const messages = [
      record(0, "33", "committed 0"),
      record(2, "37", "aborted A"),
      record(3, "32", "aborted B"),
      abortMarker(10, "32"),
      abortMarker(11, "37"),
      record(12, "32", "republished B"),
      record(13, "37", "republished A"),
    ];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { producerId: "32", firstOffset: "3" },
        { producerId: "37", firstOffset: "2" },
      ],
    }).filter((m) => m.value !== "abort");
    expect(kept.map((m) => m.value)).toEqual(["committed 0", "republished B", "republished A"]);
  });
});

// The patch also retries a transaction's first request when the coordinator answers CONCURRENT_TRANSACTIONS (it is
// still completing the previous transaction) after 10, 20, 40 ms..., as the Java client does. Unpatched, the error
// went up to sendMessages, which logged it, refreshed the metadata and waited the client's retry time (50 ms as
// src/source/kafka.ts sets it). The broker here is a stand-in that answers with the protocol's errors;
// test/integration/kafkajs-coordinators.test.ts runs transactions on a real broker.
describe("kafkajs transactions, patched: CONCURRENT_TRANSACTIONS", () => {
  const { createErrorFromCode } = require("kafkajs/src/protocol/error") as { createErrorFromCode: (code: number) => Error & { type: string } };
  const { createLogger, LEVELS } = require("kafkajs/src/loggers") as { createLogger: (o: object) => unknown; LEVELS: Record<string, number> };
  const createEosManager = require("kafkajs/src/producer/eosManager") as (o: object) => {
    initProducerId(): Promise<void>;
    beginTransaction(): void;
    addPartitionsToTransaction(topicData: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
  };
  const CONCURRENT_TRANSACTIONS = 51;
  const UNKNOWN_PRODUCER_ID = 59;

  /** A transaction in progress on a coordinator whose AddPartitionsToTxn answers fail with the given codes first. */
  async function transaction(failures: number[]) {
    const calls: string[] = [];
    const broker = {
      initProducerId: async () => ({ producerId: 7, producerEpoch: 0 }),
      addPartitionsToTxn: async () => {
        const code = failures.shift();
        calls.push(code === undefined ? "ok" : createErrorFromCode(code).type);
        if (code !== undefined) throw createErrorFromCode(code);
      },
    };
    const cluster = {
      retry: { retries: 0 },
      refreshMetadataIfNecessary: async () => undefined,
      findGroupCoordinator: async () => broker,
    };
    const eos = createEosManager({ logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }), cluster, transactional: true, transactionalId: "t-1" });
    await eos.initProducerId();
    eos.beginTransaction();
    return { eos, calls, add: () => eos.addPartitionsToTransaction([{ topic: "alerts", partitions: [{ partition: 0 }] }]) };
  }

  it("retries the request itself until the previous transaction is complete", async () => {
    const t = await transaction([CONCURRENT_TRANSACTIONS, CONCURRENT_TRANSACTIONS]);
    await t.add();
    expect(t.calls).toEqual(["CONCURRENT_TRANSACTIONS", "CONCURRENT_TRANSACTIONS", "ok"]);
  });

  it("passes any other error on at once, and CONCURRENT_TRANSACTIONS after 7 tries (1.27 s of waits)", async () => {
    const other = await transaction([UNKNOWN_PRODUCER_ID]);
    await expect(other.add()).rejects.toMatchObject({ type: "UNKNOWN_PRODUCER_ID" });
    expect(other.calls).toEqual(["UNKNOWN_PRODUCER_ID"]);
    const stuck = await transaction(Array(10).fill(CONCURRENT_TRANSACTIONS));
    await expect(stuck.add()).rejects.toMatchObject({ type: "CONCURRENT_TRANSACTIONS" });
    expect(stuck.calls).toHaveLength(8);
  });
});
