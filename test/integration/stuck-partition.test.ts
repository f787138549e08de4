// Messages that once wedged a partition: the consumer must get past them, with the events after them processed.
import { describe, it, expect } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import { createTopics, freshNames, freshSchema, ids, produce, readTopic, replayAlerts, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

describe("a partition is not wedged", () => {
  it("by a binary message with NULs: it is dead-lettered with its reason made printable, and the events after it go on", async () => {
    const n = freshNames("nul");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    // the parse error quotes the input, NULs and all
    const binary = Buffer.from([0x0a, 0x05, 0x00, 0x01, 0x41, 0x42, 0x00, 0x00, 0x10, 0x22, 0x33]);
    const runner = await startRunner(n, url);
    try {
      await produce(n.events, [binary, ...sampleLines()]);
      await waitCaughtUp(n, url, 30_000);
    } finally {
      await runner.stop();
    }
    const [dead] = await readTopic(n.dead, { count: 1 });
    expect(dead!.value).toEqual(binary);
    expect(dead!.headers["mt-reason-kind"]).toBe("not-json");
    expect(dead!.headers["mt-reason"]).toContain("\\u0000");
    expect(dead!.headers["mt-reason"]).not.toMatch(/[\u0000-\u001f]/);
    const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(alerts)).toEqual(ids(expected));
  });
});
