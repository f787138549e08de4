// A message near the broker's size limit is taken on the events topic, and its dead letter is that message plus the
// mt-* headers: a dead-letter topic with the same limit refused it, and the partition's outbox (its dead letters
// and alerts, published in order) waited behind it. The dead-letter topic moneytrail creates takes the events
// topic's largest message with room for the headers; one made before with less is named at start, with the fix.
import { describe, it, expect } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import { createTopics, freshNames, freshSchema, kafka, makeTopics, produce, readTopic, replayAlerts, ids, sampleLines, startRunner, waitCaughtUp } from "./harness.js";
import { createLogger } from "../../src/lib/log.js";
import { maxMessageBytes } from "../../src/source/kafka.js";

describe("a dead letter of a message near the size limit", () => {
  it("is published, and the alerts after it are not held up", async () => {
    const n = freshNames("dlbig");
    // the dead-letter topic is left for moneytrail to make
    await makeTopics([n.events, n.alerts], 1);
    const admin = kafka().admin();
    await admin.connect();
    const limit = await maxMessageBytes(admin, n.events);
    await admin.disconnect();
    const url = await freshSchema(n);
    // as large as the events topic takes: its record batch's overhead is about a hundred bytes
    const big = Buffer.alloc(limit - 200, 0x78);
    await produce(n.events, [big]);
    await produce(n.events, sampleLines());
    const expected = await replayAlerts();
    const runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 60_000);
    } finally {
      await runner.stop();
    }
    const [dead] = await readTopic(n.dead, { count: 1 });
    expect(dead!.value.equals(big)).toBe(true);
    expect(dead!.headers["mt-reason-kind"]).toBe("too-large");
    const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(alerts)).toEqual(ids(expected));
  });

  it("is named at start when the dead-letter topic was made with the broker's default limit, with the command to raise it", async () => {
    const n = freshNames("dlbig-warn");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const logged: { msg: string; topic?: string }[] = [];
    const runner = await startRunner(n, url, {}, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
    await runner.stop();
    const warning = logged.find((l) => l.topic === n.dead);
    expect(warning?.msg).toMatch(new RegExp(`^the dead-letter topic takes messages of up to \\d+ bytes, .*: kafka-configs --alter --entity-type topics --entity-name ${n.dead} --add-config max.message.bytes=\\d+$`));
  });
});
