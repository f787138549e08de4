// `moneytrail produce` on a real broker: every line of a file on the events topic, keyed by merchantId, bad lines too.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { produceFile } from "../../src/app/produce.js";
import { TOPIC_PARTITIONS } from "../../src/source/kafka.js";
import { brokers, freshNames, kafka, readTopic, sampleLines } from "./harness.js";
import { CLI } from "../helpers/cli.js";

describe("moneytrail produce", () => {
  it("creates the topic with the consumer's partitions and sends each line once, keyed by its merchant", async () => {
    const n = freshNames("produce");
    const lines = [...sampleLines().slice(0, 1500), "not json", '{"type":"refund","eventId":"x"}', ...sampleLines().slice(1500, 3000)];
    const file = join(mkdtempSync(join(tmpdir(), "mt-produce-")), "events.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const r = await produceFile({ kafka: kafka(), events: file, topic: n.events, progress: false });
    expect(r).toMatchObject({ sent: lines.length, unkeyed: 2 });

    const admin = kafka().admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets(n.events)).toHaveLength(TOPIC_PARTITIONS);
    } finally {
      await admin.disconnect();
    }
    const read = await readTopic(n.events, { count: lines.length });
    expect(read.map((m) => m.value.toString()).sort()).toEqual([...lines].sort());
    const partitionOf = new Map<string, Set<number>>();
    for (const m of read) {
      const merchantId = (() => {
        try {
          return (JSON.parse(m.value.toString()) as { merchantId?: string }).merchantId ?? null;
        } catch {
          return null;
        }
      })();
      expect(m.key).toBe(merchantId);
      if (m.key) partitionOf.set(m.key, (partitionOf.get(m.key) ?? new Set()).add(m.partition));
    }
    // a merchant's events on one partition, so the consumer sees them in order
    expect([...partitionOf.values()].every((p) => p.size === 1)).toBe(true);
    expect(new Set(read.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it("as a command: the file onto the topic, and one line saying what it did", async () => {
    const n = freshNames("produce-cli");
    const file = join(mkdtempSync(join(tmpdir(), "mt-produce-")), "events.ndjson");
    const lines = [...sampleLines().slice(0, 300), "not json"];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const { KAFKA_BROKERS: _, ...env } = process.env;
    const r = spawnSync(
      process.execPath,
      [...CLI, "produce", "--events", file, "--brokers", brokers().join(","), "--topic", n.events],
      { env, encoding: "utf8", timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^301 lines onto ${n.events} in [\\d.]+ s; 1 without a merchantId went without a key`));
    expect(await readTopic(n.events, { count: lines.length })).toHaveLength(lines.length);
  });

  it("paces the lines at the rate asked", async () => {
    const n = freshNames("produce-rate");
    const file = join(mkdtempSync(join(tmpdir(), "mt-produce-")), "events.ndjson");
    writeFileSync(file, `${sampleLines().slice(0, 2000).join("\n")}\n`);
    const r = await produceFile({ kafka: kafka(), events: file, topic: n.events, rate: 1000, progress: false });
    expect(r.sent).toBe(2000);
    // 2,000 lines at 1,000 a second: the last request waits until its lines are due
    expect(r.seconds).toBeGreaterThanOrEqual(1.4);
  });
});
