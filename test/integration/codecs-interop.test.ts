// Upstream producers are usually the Java client, with compression.type lz4, snappy or zstd as often as gzip:
// events it writes in each codec are consumed, and raise the alerts they raise uncompressed.
import { describe, it, expect } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import { keyOf } from "../../src/app/produce.js";
import { runJavaMain } from "../../scripts/kafka-local.mjs";
import { brokers, createTopics, freshNames, freshSchema, ids, readTopic, replayAlerts, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

const CODECS = ["gzip", "snappy", "lz4", "zstd"] as const;

/** Lines written by the Java client's console producer, keyed by merchantId, in record batches of `codec`. */
async function javaProduce(topic: string, lines: string[], codec: string): Promise<void> {
  const input = lines.map((l) => `${keyOf(l)}\t${l}\n`).join("");
  const args = ["--bootstrap-server", brokers().join(","), "--topic", topic, "--compression-codec", codec, "--property", "parse.key=true"];
  const r = await runJavaMain("kafka.tools.ConsoleProducer", args, { input });
  expect(r.code, r.output).toBe(0);
}

describe("events compressed by the Java client", () => {
  it("in gzip, snappy (xerial framing), lz4 and zstd batches raise the alerts they raise uncompressed", async () => {
    const n = freshNames("codecs");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    const lines = sampleLines();
    // a quarter of the sample in each codec, in order (a merchant's events stay in order on the one partition)
    const quarter = Math.ceil(lines.length / CODECS.length);
    for (const [i, codec] of CODECS.entries()) await javaProduce(n.events, lines.slice(i * quarter, (i + 1) * quarter), codec);
    const runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 60_000);
      expect((await runner.readiness()).checks.batches).toEqual({ ok: true });
    } finally {
      await runner.stop();
    }
    const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(alerts)).toEqual(ids(expected));
  });
});
