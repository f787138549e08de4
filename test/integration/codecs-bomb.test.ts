// A "gzip bomb" on the events topic (a record batch of ~200 KB that decompresses to 200 MiB): refused without being
// decompressed whole; the consumer stays up, holds that partition at the batch (nothing after it consumed, none
// skipped), says where and why once, and the other partitions go on.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { CompressionTypes } from "kafkajs";
import { createLogger } from "../../src/lib/log.js";
import { keyOf } from "../../src/app/produce.js";
import { IndicatorSubscriber } from "../../src/indicators/distribution.js";
import { registerCodecs } from "../../src/source/codecs.js";
import { createTopics, freshNames, freshSchema, indicatorTopicWith, kafka, produce, sampleLines, startRunner, until } from "./harness.js";

describe("a gzip bomb on the events topic", () => {
  it("holds its partition at it, says so once, and the other partition is consumed to its end", async () => {
    const n = freshNames("bomb");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    await produce(n.events, lines.slice(0, half));
    const producer = kafka().producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: n.events, compression: CompressionTypes.GZIP, messages: [{ key: keyOf(lines[0]!), value: Buffer.alloc(200 << 20), partition: 0 }] });
    await producer.disconnect();
    const bombAt = sent!.baseOffset!;
    await produce(n.events, lines.slice(half));

    const logged: { level: number; msg: string; partition?: number; offset?: string }[] = [];
    const runner = await startRunner(n, url, {}, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const admin = kafka().admin();
    await admin.connect();
    try {
      const ends = new Map((await admin.fetchTopicOffsets(n.events)).map((e) => [e.partition, e.high]));
      const positions = async () => new Map((await pool.query<{ partition: number; next_offset: string }>("SELECT partition, next_offset FROM mt_partitions WHERE group_id = $1", [n.group])).rows.map((r) => [r.partition, r.next_offset]));
      await until("partition 1 consumed to its end, partition 0 up to the bomb", async () => {
        const p = await positions();
        return p.get(1) === ends.get(1) && p.get(0) === bombAt;
      }, 60_000);
      const held = () => logged.filter((l) => /cannot be read/.test(l.msg));
      await until("the held batch said", () => held().length > 0);
      const cpu = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 3000));
      const used = process.cpuUsage(cpu);
      // held without spinning (kafkajs fetched it again at once, without end, were the partition not paused)
      expect((used.user + used.system) / 1000).toBeLessThan(1000);
      expect(held()).toHaveLength(1);
      // and nothing else is logged as an error (a codec's error thrown in kafkajs logs a line per retry of the fetch)
      expect(logged.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([held()[0]!.msg]);
      expect(held()[0]).toMatchObject({ partition: 0, offset: bombAt });
      expect(held()[0]!.msg).toContain(`a record batch of 1 records at offset ${bombAt} of ${n.events}[0] cannot be read: its GZIP data decompresses to more than`);
      expect(held()[0]!.msg).toMatch(/MT_MAX_BATCH_BYTES.*none is skipped/);
      const ready = await runner.readiness();
      expect(ready.ready).toBe(false);
      expect(ready.checks.group).toMatchObject({ ok: true });
      expect(ready.checks.batches).toMatchObject({ ok: false, detail: expect.stringContaining(`${n.events}[0] held at offset ${bombAt}: a batch of 1 records cannot be read`) });
      // nothing after it consumed
      expect((await positions()).get(0)).toBe(bombAt);
    } finally {
      await admin.disconnect();
      await pool.end();
      await runner.stop();
    }
  });
});

describe("a gzip bomb on the indicator topic", () => {
  it("holds the subscriber at it: refused once with its place, and no set after it taken", async () => {
    // as run's client registers them (kafkaClient), with a bound the 32 MiB bomb passes
    registerCodecs(8 << 20);
    const topic = await indicatorTopicWith("ind-bomb", [
      { key: "member:x/set-a", value: "not a set" },
      { key: "member:x/set-b", value: Buffer.alloc(32 << 20), gzip: true },
      { key: "member:x/set-c", value: "not a set either" },
    ]);
    const refused: { key: string | null; reason: string; at?: { partition: number; offset: string } }[] = [];
    const sub = new IndicatorSubscriber({ kafka: kafka(), topic, onChange: () => undefined, onRefused: (key, reason, _kind, at) => refused.push({ key, reason, at }) });
    await sub.start();
    try {
      await until("the bomb refused", () => refused.length === 2, 30_000);
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await sub.stop();
    }
    expect(refused).toEqual([
      { key: "member:x/set-a", reason: expect.any(String), at: { partition: 0, offset: "0" } },
      { key: null, reason: expect.stringMatching(/^a record batch of 1 records cannot be read: its GZIP data decompresses to more than 8388608 bytes \(MT_MAX_BATCH_BYTES\)/), at: { partition: 0, offset: "1" } },
    ]);
  });
});
