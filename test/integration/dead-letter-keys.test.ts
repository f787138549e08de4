// The contract keys each event by its merchantId, so that the partition holding a merchant's state sees all of its
// events in order. An event keyed by another merchant, or not keyed, lands on a partition that does not hold the
// merchant: it is dead-lettered with its key and bytes as they came and a reason saying to key it by merchantId.
// A tombstone (no value) and an empty value are dead-lettered with a reason saying which. Every message is counted once either way.
import { describe, it, expect } from "vitest";
import { createTopics, freshNames, freshSchema, readTopic, sendMessages, startRunner, waitCaughtUp } from "./harness.js";
import { merchant, resetEvents, tx } from "../helpers/events.js";

const M = "acq-test:M-keyed";
const OTHER = "acq-test:M-other";
const reason = (what: string) =>
  `schema: key: ${what} (${JSON.stringify(M)}): the contract keys each event by its merchantId, so that all of a merchant's events are on one partition, in order; send it again keyed by its merchantId`;

describe("message keys", () => {
  it("dead-letters events not keyed by their merchantId and tombstones; consumed = processed + dead-lettered", async () => {
    const n = freshNames("dlk");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    resetEvents();
    const profile = JSON.stringify(merchant({ merchantId: M }));
    const misKeyed = JSON.stringify(tx({ merchantId: M }));
    const unkeyed = JSON.stringify(tx({ merchantId: M }));
    const withHeaders = JSON.stringify(tx({ merchantId: M }));
    await sendMessages(n.events, [
      { key: M, value: profile },
      { key: OTHER, value: misKeyed },
      { key: null, value: unkeyed },
      { key: M, value: null },
      { key: M, value: "" },
      { key: M, value: withHeaders, headers: { "trace-id": "t-1" } },
    ]);
    const runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 30_000);
      const m = runner.metrics;
      const consumed = (await m.consumed.get()).values[0]!.value;
      const processed = (await m.processed.get()).values.reduce((s, v) => s + v.value, 0);
      const dead = (await m.deadLettered.get()).values.reduce((s, v) => s + v.value, 0);
      expect({ consumed, processed, dead }).toEqual({ consumed: 6, processed: 2, dead: 4 });
    } finally {
      await runner.stop();
    }
    const letters = await readTopic(n.dead, { count: 4 });
    expect(letters.map((l) => ({ key: l.key, value: l.value.toString(), offset: l.headers["mt-source-offset"], kind: l.headers["mt-reason-kind"], reason: l.headers["mt-reason"] }))).toEqual([
      { key: OTHER, value: misKeyed, offset: "1", kind: "schema", reason: reason(`the message's key is ${JSON.stringify(OTHER)}, not the event's merchantId`) },
      { key: null, value: unkeyed, offset: "2", kind: "schema", reason: reason("the message has no key") },
      { key: M, value: "", offset: "3", kind: "not-json", reason: "not JSON: the message has no value (a tombstone); an event is one JSON object in the message's value" },
      { key: M, value: "", offset: "4", kind: "not-json", reason: "not JSON: the message is empty; an event is one JSON object" },
    ]);
  });
});
