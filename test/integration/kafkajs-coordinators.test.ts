// patches/kafkajs+2.2.4.patch also keeps a transactional producer's coordinators between transactions: unpatched,
// kafkajs sent a FindCoordinator request before each of a transaction's requests to them, four per outbox publish
// (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn). A request that fails forgets the coordinator;
// broker-restart.test.ts shows the publisher going on after the broker comes back.
import { describe, it, expect } from "vitest";
import { createTopics, freshNames, kafka, readTopic } from "./harness.js";

describe("kafkajs transactions (patched)", () => {
  it("look up the transaction and group coordinators once, not before every request", async () => {
    const n = freshNames("coord");
    await createTopics(n, 1);
    const k = kafka();
    const producer = k.producer({ transactionalId: `t-${n.id}`, idempotent: true, maxInFlightRequests: 1 });
    const requests: string[] = [];
    producer.on(producer.events.REQUEST, (e) => requests.push(e.payload.apiName));
    const admin = k.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      const publish = async (i: number) => {
        const txn = await producer.transaction();
        await txn.send({ topic: n.alerts, messages: [{ value: `m${i}` }] });
        await txn.sendOffsets({ consumerGroupId: `${n.group}.outbox`, topics: [{ topic: n.events, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
        await txn.commit();
      };
      // FindCoordinator (kafkajs names it GroupCoordinator)
      const lookups = () => requests.filter((r) => r === "GroupCoordinator").length;
      // the first transaction finds both coordinators (with retries while a new group's coordinator loads)
      await publish(0);
      const first = lookups();
      expect(first).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < 5; i++) await publish(i);
      expect(requests.filter((r) => r === "EndTxn").length).toBe(5);
      // the next four find none: unpatched, 16 more
      expect(lookups()).toBe(first);
      expect((await readTopic(n.alerts, { count: 5 })).map((m) => m.value.toString())).toEqual(["m0", "m1", "m2", "m3", "m4"]);
      const [marks] = await admin.fetchOffsets({ groupId: `${n.group}.outbox`, topics: [n.events] });
      expect(marks!.partitions[0]!.offset).toBe("5");
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
