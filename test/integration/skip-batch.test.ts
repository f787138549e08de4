// A record batch that cannot be read holds its partition until an operator skips it (`moneytrail db skip-batch`):
// then its records are dead-lettered (reason unreadable-batch) and the events after it consumed, and a consumer that
// meets it again (a restart replaying from the checkpoint before it) skips it again instead of holding.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import pg from "pg";
import { CompressionTypes } from "kafkajs";
import type { Alert } from "../../src/decode/events.js";
import { keyOf } from "../../src/app/produce.js";
import { createLogger } from "../../src/lib/log.js";
import { IndicatorSubscriber } from "../../src/indicators/distribution.js";
import { registerCodecs } from "../../src/source/codecs.js";
import { skipBatch as recordSkip, skippedBatch } from "../../src/sinks/postgres/store.js";
import { poolDb } from "../../src/cases/db.js";
import { CLI } from "../helpers/cli.js";
import { createTopics, freshNames, freshSchema, ids, indicatorTopicWith, kafka, produce, freshStore, readTopic, replayAlerts, sampleLines, spawnRunner, startRunner, until, waitCaughtUp, type Names } from "./harness.js";

const BOUND = 256 * 1024;

const skipBatch = (n: Names, url: string, ...args: string[]) =>
  spawnSync(process.execPath, [...CLI, "db", "skip-batch", "--topic", n.events, "--group-id", n.group, "--partition", "0", "--database-url", url, ...args], { encoding: "utf8", timeout: 120_000 });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("a record batch that cannot be read, skipped by an operator", () => {
  it("is dead-lettered with the reasons, the events after it consumed, and skipped again after a restart", { timeout: 300_000 }, async () => {
    const n = freshNames("skip");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    await produce(n.events, lines.slice(0, half));
    const producer = kafka().producer();
    await producer.connect();
    // 4 MiB of zeros in a few KB: over the bound
    const [sent] = await producer.send({ topic: n.events, compression: CompressionTypes.GZIP, messages: [{ key: keyOf(lines[0]!), value: Buffer.alloc(4 << 20) }] });
    await producer.disconnect();
    const bombAt = sent!.baseOffset!;
    await produce(n.events, lines.slice(half));
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const position = async () => (await pool.query<{ next_offset: string }>("SELECT next_offset::text FROM mt_partitions WHERE group_id = $1", [n.group])).rows[0]?.next_offset;
    try {
      // held at it
      const held = await startRunner(n, url, { maxBatchBytes: BOUND });
      try {
        await until("held at the batch", async () => (await held.readiness()).checks.batches?.ok === false && (await position()) === bombAt, 60_000);
        expect((await held.readiness()).checks.batches!.detail).toContain(`moneytrail db skip-batch --topic ${n.events} --partition 0 --offset ${bombAt} --reason`);
      } finally {
        await held.stop();
      }

      // an offset the group is past is refused; the batch's is recorded
      const before = skipBatch(n, url, "--offset", String(Number(bombAt) - 1), "--reason", "hostile batch from a test producer");
      expect(before.status, before.stderr).toBe(2);
      expect(before.stderr).toContain(`group ${n.group} is past ${n.events}[0] at offset ${Number(bombAt) - 1} already (its position is ${bombAt}): nothing is held there, nothing recorded`);
      const skipped = skipBatch(n, url, "--offset", bombAt, "--reason", "hostile batch from a test producer");
      expect(skipped.status, skipped.stderr).toBe(0);
      expect(skipped.stdout).toContain(`recorded: the record batch of ${n.events}[0] at offset ${bombAt} is skipped by every consumer of ${n.events} that meets it`);
      const again = skipBatch(n, url, "--offset", bombAt, "--reason", "again");
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(/was skipped already, by .+ at .+ \(hostile batch from a test producer\): nothing recorded/);
      const audit = await pool.query<{ actor: string; target: string }>("SELECT actor, target FROM mt_audit WHERE action = 'batch-skip'");
      expect(audit.rows).toEqual([{ actor: "console", target: `${n.events}[0]@${bombAt}` }]);

      // a consumer started now takes it: no checkpoint after the batch (it is killed), so the next one meets it again
      const metricsPort = await freePort();
      const child = spawnRunner(n, url, { MT_MAX_BATCH_BYTES: String(BOUND), MT_CHECKPOINT_MS: "600000", MT_METRICS_PORT: String(metricsPort) });
      let metrics: string;
      try {
        await waitCaughtUp(n, url, 120_000);
        metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      } finally {
        child.kill("SIGKILL");
      }
      const count = (name: string) =>
        metrics
          .split("\n")
          .filter((l) => l.startsWith(`moneytrail_${name}`))
          .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
      expect(metrics).toContain('moneytrail_events_dead_lettered_total{reason="unreadable-batch"} 1');
      expect(count("events_consumed_total")).toBe(count("events_processed_total") + count("events_dead_lettered_total"));

      const [dead, ...more] = await readTopic(n.dead, { idleMs: 3000 });
      expect(more).toEqual([]);
      expect(dead!.value.length).toBe(0);
      expect(dead!.key).toBeNull();
      expect(dead!.headers).toEqual({
        "mt-reason": expect.stringMatching(
          new RegExp(
            `^unreadable batch: a record batch of 1 records at offset ${bombAt} of ${n.events.replace(/\./g, "\\.")}\\[0\\] cannot be read \\(its GZIP data decompresses to more than ${BOUND} bytes \\(MT_MAX_BATCH_BYTES\\)\\); skipped by .+ at .+ \\(moneytrail db skip-batch\\): hostile batch from a test producer$`,
          ),
        ),
        "mt-reason-kind": "unreadable-batch",
        "mt-source-topic": n.events,
        "mt-source-partition": "0",
        "mt-source-offset": bombAt,
      });
      const alerts = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
      expect(ids(alerts)).toEqual(ids(expected));

      // restarted, it replays from the checkpoint before the batch: skipped again, not held
      const logged: { msg: string; offset?: string }[] = [];
      const restarted = await startRunner(n, url, { maxBatchBytes: BOUND }, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
      try {
        await until("the batch met again and skipped", () => logged.some((l) => /that cannot be read is skipped/.test(l.msg) && l.offset === bombAt), 60_000);
        await waitCaughtUp(n, url, 60_000);
        expect((await restarted.readiness()).checks.batches).toEqual({ ok: true });
      } finally {
        await restarted.stop();
      }
      // replayed, not dead-lettered again
      expect(await readTopic(n.dead, { idleMs: 3000 })).toHaveLength(1);
    } finally {
      await pool.end();
    }
  });
});

describe("a record batch that cannot be read on the indicator topic, skipped by an operator", () => {
  it("is refused with the reasons at its place, and the sets after it are read", async () => {
    // as run's client registers them (kafkaClient)
    registerCodecs(1 << 20);
    const n = freshNames("ind-skip");
    const topic = await indicatorTopicWith("ind-skip", [
      { key: "member:x/set-a", value: "not a set" },
      { key: "member:x/set-b", value: Buffer.alloc(4 << 20), gzip: true },
      { key: "member:x/set-c", value: "not a set either" },
    ]);
    const { pool } = await freshStore(n, 1);
    const refused: { key: string | null; reason: string; at?: { partition: number; offset: string } }[] = [];
    try {
      await recordSkip(poolDb(pool), { groupId: n.group, topic, partition: 0, offset: "1", reason: "hostile batch from a test producer", by: "operator" });
      const sub = new IndicatorSubscriber({
        kafka: kafka(),
        topic,
        onChange: () => undefined,
        onRefused: (key, reason, _kind, at) => refused.push({ key, reason, at }),
        skipped: (b) => skippedBatch(pool, b.topic, b.partition, b.offset),
      });
      await sub.start();
      try {
        await until("the set after it read", () => refused.length === 3, 30_000);
      } finally {
        await sub.stop();
      }
    } finally {
      await pool.end();
    }
    expect(refused).toEqual([
      { key: "member:x/set-a", reason: expect.any(String), at: { partition: 0, offset: "0" } },
      {
        key: null,
        reason: expect.stringMatching(/^unreadable batch: a record batch of 1 records at offset 1 of .+\[0\] cannot be read \(its GZIP data decompresses to more than 1048576 bytes \(MT_MAX_BATCH_BYTES\)\); skipped by operator at .+: hostile batch from a test producer$/),
        at: { partition: 0, offset: "1" },
      },
      { key: "member:x/set-c", reason: expect.any(String), at: { partition: 0, offset: "2" } },
    ]);
  });
});
