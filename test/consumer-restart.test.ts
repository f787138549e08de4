// kafkajs leaves a consumer stopped after an error it deems final (seen in broker-restart.test.ts: "Failed to find
// group coordinator" while the broker was down). startConsumer starts it again after a pause, unless the process is
// stopping. kafkajs's consumer is stood in for here by an object with its calls and events: what is tested is the
// restart policy, not Kafka (the integration tests run the real consumer).
import { EventEmitter } from "node:events";
import { describe, it, expect, vi, afterEach } from "vitest";
import type { Kafka } from "kafkajs";
import { startConsumer } from "../src/source/kafka.js";

function fakeKafka() {
  const events = new EventEmitter();
  const calls: string[] = [];
  const consumer = {
    events: { GROUP_JOIN: "group-join", CRASH: "crash" },
    on: (name: string, listener: (e: unknown) => void) => events.on(name, listener),
    connect: async () => void calls.push("connect"),
    subscribe: async () => void calls.push("subscribe"),
    run: async () => void calls.push("run"),
  };
  const crash = (restart: boolean) => events.emit("crash", { payload: { error: new Error("Failed to find group coordinator"), restart } });
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls, crash };
}

const options = { groupId: "g", topic: "t", fromBeginning: true, sessionTimeoutMs: 30_000, concurrentPartitions: 1 };

describe("the Kafka consumer after kafkajs gives up", () => {
  afterEach(() => void vi.useRealTimers());

  it("is started again after a pause, and not when kafkajs restarts it itself or the process is stopping", async () => {
    vi.useFakeTimers();
    const f = fakeKafka();
    let stopping = false;
    const gaveUp: string[] = [];
    await startConsumer(f.kafka, options, {
      onAssignment: () => undefined,
      onBatch: async () => undefined,
      onGaveUp: (err) => void gaveUp.push(err.message),
      stopping: () => stopping,
    });
    expect(f.calls).toEqual(["connect", "subscribe", "run"]);

    f.crash(true); // kafkajs restarts this one
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.calls).toHaveLength(3);

    f.crash(false);
    expect(gaveUp).toEqual(["Failed to find group coordinator"]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(f.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toEqual(["connect", "subscribe", "run", "connect", "subscribe", "run"]);

    f.crash(false);
    stopping = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.calls).toHaveLength(6);
  });

  it("tries again while the broker is still away", async () => {
    vi.useFakeTimers();
    const f = fakeKafka();
    const gaveUp: string[] = [];
    await startConsumer(f.kafka, options, { onAssignment: () => undefined, onBatch: async () => undefined, onGaveUp: (err) => void gaveUp.push(err.message), stopping: () => false });
    let down = 2;
    const consumer = f.kafka.consumer({ groupId: "g" }) as unknown as { connect: () => Promise<void> };
    const connect = consumer.connect;
    consumer.connect = async () => {
      if (down-- > 0) throw new Error("Connection error: connect ECONNREFUSED");
      await connect();
    };
    f.crash(false);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(gaveUp).toEqual(["Failed to find group coordinator", "Connection error: connect ECONNREFUSED", "Connection error: connect ECONNREFUSED"]);
    expect(f.calls).toEqual(["connect", "subscribe", "run", "connect", "subscribe", "run"]);
  });
});
