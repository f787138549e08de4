// moneytrail run: an event dated far after its message's timestamp is dead-lettered with the reason, its bytes
// kept, and counted, instead of moving its merchant's windows years ahead (they end at the merchant's latest
// event), which made every real event after it late: a card-testing burst that followed raised nothing.
import { describe, expect, it } from "vitest";
import { createTopics, freshNames, freshSchema, kafka, readTopic, startRunner, waitCaughtUp } from "./harness.js";
import { cardToken, merchant, resetEvents, tx } from "../helpers/events.js";
import { keyOf } from "../../src/app/produce.js";

/** A message keyed as the contract has it, stamped with the given time (the producer's CreateTime). */
const message = (e: object, timestamp: number) => {
  const value = JSON.stringify(e);
  return { key: keyOf(value), value, timestamp: String(timestamp) };
};

/** The messages produced on a fresh topic, then consumed to its end by a runner; the dead letters it wrote. */
async function consumeAll(name: string, messages: ReturnType<typeof message>[]) {
  const n = freshNames(name);
  await createTopics(n, 1);
  const url = await freshSchema(n);
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: n.events, acks: -1, messages });
  await producer.disconnect();
  const runner = await startRunner(n, url);
  try {
    await waitCaughtUp(n, url, 60_000);
  } finally {
    await runner.stop();
  }
  return { n, dead: await readTopic(n.dead, { count: 1 }) };
}

describe("run: events dated ahead of their message", () => {
  it("dead-letters one more than MT_MAX_AHEAD_MS after its message's timestamp; the merchant's later events count", async () => {
    resetEvents("2026-03-02T00:00:00Z");
    const m = merchant({ merchantId: "acq-test:M-ahead" });
    const future = tx({ merchantId: m.merchantId, occurredAt: "2031-03-02T00:00:00Z", amountMinor: 100 });
    // 3 minutes after its message: within the default 5
    const skewed = tx({ merchantId: m.merchantId, occurredAt: "2026-03-02T00:03:00Z", amountMinor: 100, status: "declined" });
    resetEvents("2026-03-02T00:10:00Z");
    const burst = Array.from({ length: 15 }, (_, i) => tx({ merchantId: m.merchantId, status: "declined", amountMinor: 100, card: { token: cardToken(i % 12) } }));
    const sent = Date.parse("2026-03-02T00:00:00Z");
    // each message stamped as its producer would: at or after the time of its event, but the future one and the skewed one
    const { n, dead } = await consumeAll("ahead", [
      message(m, sent),
      message(future, sent + 60_000),
      message(skewed, sent),
      ...burst.map((e) => message(e, Date.parse(e.occurredAt) + 1000)),
    ]);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value.toString()).toBe(JSON.stringify(future));
    expect(dead[0]!.headers).toMatchObject({
      "mt-reason-kind": "schema",
      "mt-reason": expect.stringMatching(/^schema: occurredAt: 2031-03-02T00:00:00Z is 1,825 days after the message's timestamp \(2026-03-02T00:01:00\.000Z\), more than MT_MAX_AHEAD_MS allows \(5 minutes\)/),
      "mt-source-offset": "1",
    });
    const alerts = (await readTopic(n.alerts, { count: 1 })).map((a) => JSON.parse(a.value.toString()));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ merchantId: m.merchantId, typologies: ["card-testing"] });
  });

  it("judges from this consumer's clock when the producer stamped the message with the event's own (future) time", async () => {
    resetEvents("2026-03-02T00:00:00Z");
    const m = merchant({ merchantId: "acq-test:M-ahead-stamp" });
    const future = tx({ merchantId: m.merchantId, occurredAt: "2031-03-02T00:00:00Z", amountMinor: 100 });
    const later = tx({ merchantId: m.merchantId, occurredAt: "2026-03-02T00:05:00Z", amountMinor: 100 });
    // each message stamped with its event's time, as a producer that sets CreateTime from the event would
    const { dead } = await consumeAll("ahead-stamp", [m, future, later].map((e) => message(e, Date.parse(e.occurredAt))));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value.toString()).toBe(JSON.stringify(future));
    expect(dead[0]!.headers["mt-reason"]).toMatch(/^schema: occurredAt: 2031-03-02T00:00:00Z is [\d,]+ days after this consumer's clock, earlier than its message's timestamp \(20\d\d-/);
    expect(dead[0]!.headers["mt-source-offset"]).toBe("1");
  });
});
