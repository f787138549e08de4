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
