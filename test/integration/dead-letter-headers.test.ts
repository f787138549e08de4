// A dead letter is the message as it came, its own Kafka headers too (bytes, not text), so an operator can put it
// back on the events topic once fixed; the mt-* headers say why and where it came from.
import { describe, it, expect } from "vitest";
import { createTopics, freshNames, freshSchema, freshStore, readTopic, sendMessages, startRunner, waitCaughtUp } from "./harness.js";

/** not UTF-8 (0xff, 0xc3 0x28), with a NUL: text would change these bytes */
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

describe("dead letters", () => {
  it("keep the source message's headers byte for byte, with ours added (ours win on a name they share)", async () => {
    const n = freshNames("dlh");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    await sendMessages(n.events, [
      {
        key: "k-1",
        value: "not json",
        headers: { "trace-id": "t-1", blob: BINARY, repeated: ["a", Buffer.from([0x00, 0xff])], empty: Buffer.alloc(0), "mt-reason": "from the source" },
      },
    ]);
    const runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 30_000);
    } finally {
      await runner.stop();
    }
    const [dead] = await readTopic(n.dead, { count: 1 });
    expect(dead!.value).toEqual(Buffer.from("not json"));
    const h = dead!.rawHeaders;
    expect(Object.keys(h).sort()).toEqual(["blob", "empty", "mt-reason", "mt-reason-kind", "mt-source-offset", "mt-source-partition", "mt-source-topic", "repeated", "trace-id"]);
    expect(h.blob).toEqual(BINARY);
    expect(h["trace-id"]).toEqual(Buffer.from("t-1"));
    expect(h.repeated).toEqual([Buffer.from("a"), Buffer.from([0x00, 0xff])]);
    expect(h.empty).toEqual(Buffer.alloc(0));
    expect(dead!.headers["mt-reason"]).not.toBe("from the source");
    expect(dead!.headers).toMatchObject({ "mt-reason-kind": "not-json", "mt-source-topic": n.events, "mt-source-partition": "0", "mt-source-offset": "0" });
  });

  it("read back from the outbox (after a restart), carry the same bytes as handed over at the commit", async () => {
    const n = freshNames("dlh-store");
    const { pool, store } = await freshStore(n);
    try {
      const claim = await store.claim("ev", 0, "test");
      const headers = { blob: BINARY, repeated: [Buffer.from("a"), BINARY], "mt-reason": "bad \u0000 input" };
      const written = await store.commitOutputs({
        topic: "ev",
        partition: 0,
        epoch: claim.epoch,
        nextOffset: "1",
        alerts: [],
        outbox: [{ dest: "dead-letter", key: null, value: Buffer.from("x"), headers }],
        acquirerOf: () => undefined,
      });
      const read = await store.pendingOutbox("ev", 0, "0");
      expect(read.map((r) => r.headers)).toEqual(written.map((r) => r.headers));
      // bytes as they were; text made storable (jsonb refuses U+0000)
      expect(read[0]!.headers).toEqual({ blob: BINARY, repeated: [Buffer.from("a"), BINARY], "mt-reason": "bad \\u0000 input" });
    } finally {
      await pool.end();
    }
  });
});
