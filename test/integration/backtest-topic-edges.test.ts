// A backtest from a topic ends on what an upstream producer's transactions leave on a partition (aborted records,
// commit and abort markers, which the reader never sees as messages), and a topic that is not there is said at
// once, with what to do, instead of minutes of the client's retries and a stack trace.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompressionTypes } from "kafkajs";
import { readTopicRange } from "../../src/source/kafka-range.js";
import { backtest, BacktestResult } from "../../src/app/backtest.js";
import { backtestTables } from "../../src/app/backtest-report.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { IndicatorIndex } from "../../src/indicators/index.js";
import { UsageError } from "../../src/lib/errors.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { brokers, createTopics, freshNames, kafka, produce, sampleLines, until } from "./harness.js";
import { CLI } from "../helpers/cli.js";

async function collect(topic: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readTopicRange(kafka(), topic)) for (const l of batch) out.push(l.bytes.toString());
  return out;
}

/** Sends lines to one partition in a transaction that is committed or aborted. */
async function inTransaction(topic: string, partition: number, lines: string[], end: "commit" | "abort"): Promise<void> {
  const producer = kafka().producer({ transactionalId: `tx-${randomBytes(4).toString("hex")}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    await tx.send({ topic, acks: -1, compression: CompressionTypes.None, messages: lines.map((value) => ({ partition, value })) });
    await tx[end]();
  } finally {
    await producer.disconnect();
  }
}

const withDeadline = <T>(p: Promise<T>, ms: number): Promise<T | "hung"> => Promise.race([p, new Promise<"hung">((r) => setTimeout(() => r("hung"), ms))]);

describe("backtest from a topic: edges", () => {
  it("ends on a partition that holds only an aborted transaction, with the committed events of the others", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-edges");
    await createTopics(n, 2);
    const lines = sampleLines().slice(0, 50);
    await inTransaction(n.events, 0, lines, "commit");
    await inTransaction(n.events, 1, sampleLines().slice(50, 60), "abort");
    // the coordinator writes the markers after the producer is answered: wait for both (each takes an offset)
    const admin = kafka().admin();
    await admin.connect();
    await until("markers written", async () => (await admin.fetchTopicOffsets(n.events)).every((o) => Number(o.high) === (o.partition === 0 ? 51 : 11)));
    await admin.disconnect();
    const read = await withDeadline(collect(n.events), 20_000);
    expect(read).toEqual(lines);
  });

  it("says at once that a topic is not there, naming it and what to do", { timeout: 60_000 }, async () => {
    const topic = `no-such-${randomBytes(4).toString("hex")}`;
    const started = Date.now();
    const err = await collect(topic).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(new RegExp(`topic ${topic} does not exist.*--topic`));
    expect(Date.now() - started).toBeLessThan(15_000);
    // and it is not created by asking
    const admin = kafka().admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });

  it("the command's report says which offsets it ran over", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-window");
    await createTopics(n, 2);
    await produce(n.events, sampleLines().slice(0, 200));
    const json = join(mkdtempSync(join(tmpdir(), "mt-bt-window-")), "r.json");
    const args = ["backtest", "--topic", n.events, "--brokers", brokers().join(","), "--from", "0", "--to", "9", "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--json", json, "--no-progress"];
    const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(new RegExp(`^20 events of \\d+ merchants from topic ${n.events} from offset 0 of every partition to offset 9 of every partition`));
    expect(JSON.parse(readFileSync(json, "utf8")).events).toMatchObject({ processed: 20, from: { offset: 0 }, to: { offset: 9 } });
  });

  it("counts what it has read while it reads, then what it has handed to the run", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-progress");
    await createTopics(n, 2);
    const lines = sampleLines().slice(0, 2500);
    await produce(n.events, lines);
    let reading: [number, number] = [0, 0];
    let handed: [number, number] = [0, 0];
    let pulled = 0;
    const seen: [number, number, number][] = [];
    const batches = readTopicRange(kafka(), n.events, (done, total) => (handed = [done, total]), { reading: (done, total) => (reading = [done, total]) });
    for await (const batch of batches) {
      pulled += batch.length;
      seen.push([pulled, ...handed]);
    }
    expect(reading).toEqual([2500, 2500]);
    // each batch is counted as it is handed out, not all of them before the first
    expect(seen).toEqual([
      [1000, 1000, 2500],
      [2000, 2000, 2500],
      [2500, 2500, 2500],
    ]);
  });

  it("says where a bad message is on the topic: partition and offset, not a line of a file", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-bad");
    await createTopics(n, 2);
    await produce(n.events, sampleLines().slice(0, 20));
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic: n.events, acks: -1, messages: [{ partition: 1, value: "not json" }, { partition: 1, value: '{"type":"merchant"}' }] });
    await producer.disconnect();
    const admin = kafka().admin();
    await admin.connect();
    const end = Number((await admin.fetchTopicOffsets(n.events)).find((o) => o.partition === 1)!.high);
    await admin.disconnect();
    const rs = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const r = await backtest({ events: { name: `topic ${n.events}`, batches: readTopicRange(kafka(), n.events) }, baseline: rs, candidate: rs, indicators: new IndicatorIndex() });
    expect(BacktestResult.parse(r).events.rejected).toMatchObject({
      total: 2,
      first: [
        { partition: 1, offset: end - 2, kind: "not-json" },
        { partition: 1, offset: end - 1, kind: "schema" },
      ],
    });
    expect(backtestTables(r).split("\n")[0]).toContain(`2 bad messages skipped (partition 1 offset ${end - 2}: not-json, partition 1 offset ${end - 1}: schema)`);
  });
});
