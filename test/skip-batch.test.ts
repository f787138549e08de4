// An operator's decision to skip a record batch that cannot be read (`moneytrail db skip-batch`): the consumer's hold
// hands the batch on once one is recorded, asking only when it meets a refused batch, and the command refuses what it
// cannot record. The consumer end to end is in integration/skip-batch.test.ts.
import { describe, it, expect, beforeAll, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { CompressionTypes, type EachBatchPayload, type KafkaMessage } from "kafkajs";
import { registerCodecs } from "../src/source/codecs.js";
import { HOLD_RECHECK_MS, holdingRefused, skippedReason, type HeldBatch, type RefusedAt, type SkipDecision } from "../src/source/kafka.js";
import { skipBatch, skippedBatch } from "../src/sinks/postgres/store.js";
import { testDb } from "./helpers/db.js";
import { CLI } from "./helpers/cli.js";

const require = createRequire(import.meta.url);
// kafkajs's own record batch encoding and decoding, as on the wire and in a fetch response
const Long: { fromNumber(n: number): unknown } = require("kafkajs/src/utils/long");
const Decoder: new (b: Buffer) => unknown = require("kafkajs/src/protocol/decoder");
const Record: (r: { offsetDelta: number; key: Buffer; value: Buffer }) => unknown = require("kafkajs/src/protocol/recordBatch/record/v0");
const { RecordBatch }: { RecordBatch(b: { compression: number; firstOffset: unknown; lastOffsetDelta: number; records: unknown[] }): Promise<{ buffer: Buffer }> } = require("kafkajs/src/protocol/recordBatch/v0");
const decodeBatch: (d: unknown) => Promise<{ records: KafkaMessage[] }> = require("kafkajs/src/protocol/recordBatch/v0/decoder");

const MiB = 1 << 20;

/** Three records of 2 MiB of zeros at offsets 40 to 42, gzip'd, read as a consumer reads them: refused, stood for. */
async function refusedRecords(): Promise<KafkaMessage[]> {
  const records = [0, 1, 2].map((i) => Record({ offsetDelta: i, key: Buffer.from(`k${i}`), value: Buffer.alloc(2 * MiB) }));
  const batch = await RecordBatch({ compression: CompressionTypes.GZIP, firstOffset: Long.fromNumber(40), lastOffsetDelta: 2, records });
  return (await decodeBatch(new Decoder(batch.buffer))).records;
}

const before = { offset: "39", key: Buffer.from("k"), value: Buffer.from("v"), headers: {} } as unknown as KafkaMessage;
const after = { offset: "43", key: Buffer.from("k"), value: Buffer.from("v"), headers: {} } as unknown as KafkaMessage;
const DECISION: SkipDecision = { by: "operator", at: "2026-12-06T18:00:00.000Z", reason: "hostile batch from a test producer" };

describe("a refused batch an operator skipped (holdingRefused)", () => {
  beforeAll(() => registerCodecs(MiB));

  /** holdingRefused over a partition, with the decision `decided()` gives when asked. */
  function consumer(decided: () => SkipDecision | undefined) {
    const handed: KafkaMessage[][] = [];
    const asked: RefusedAt[] = [];
    const said: HeldBatch[] = [];
    let paused = 0;
    const { eachBatch, held } = holdingRefused(
      async ({ batch }) => void handed.push(batch.messages),
      (h) => said.push(h),
      async (b) => (asked.push(b), decided()),
    );
    const fetched = (messages: KafkaMessage[]) =>
      eachBatch({ batch: { topic: "t", partition: 2, messages }, pause: () => (paused++, () => undefined) } as unknown as EachBatchPayload);
    return { handed, asked, said, held, fetched, paused: () => paused };
  }

  it("is handed on whole, each record without the codec's mark and with why, the partition not held", async () => {
    const c = consumer(() => DECISION);
    await c.fetched([before, ...(await refusedRecords()), after]);
    expect(c.asked).toEqual([{ topic: "t", partition: 2, offset: "40", records: 3, why: "its GZIP data decompresses to more than 1048576 bytes (MT_MAX_BATCH_BYTES)" }]);
    expect(c.handed).toHaveLength(1);
    const [messages] = c.handed;
    expect(messages!.map((m) => m.offset)).toEqual(["39", "40", "41", "42", "43"]);
    expect(messages!.slice(1, 4).map((m) => [m.value, m.headers])).toEqual([0, 1, 2].map(() => [null, {}]));
    for (const m of messages!.slice(1, 4))
      expect(skippedReason(m)).toBe(
        "unreadable batch: a record batch of 3 records at offset 40 of t[2] cannot be read (its GZIP data decompresses to more than 1048576 bytes (MT_MAX_BATCH_BYTES)); skipped by operator at 2026-12-06T18:00:00.000Z (moneytrail db skip-batch): hostile batch from a test producer",
      );
    // nothing else is one
    expect([before, after].map(skippedReason)).toEqual([undefined, undefined]);
    expect([c.paused(), c.held.size, c.said.length]).toEqual([0, 0, 0]);
  });

  it("is found by the batch's first offset when fetched from inside it", async () => {
    const c = consumer(() => DECISION);
    await c.fetched((await refusedRecords()).slice(1));
    expect(c.asked.map((b) => b.offset)).toEqual(["40"]);
    expect(c.handed[0]!.map((m) => m.offset)).toEqual(["41", "42"]);
  });

  it("holds until skipped, at the batch's first offset; asked again at each recheck, then handed on", async () => {
    let decision: SkipDecision | undefined;
    const c = consumer(() => decision);
    vi.useFakeTimers();
    try {
      await c.fetched([before, ...(await refusedRecords())]);
      expect(c.said).toEqual([expect.objectContaining({ offset: "40", todo: expect.stringContaining("moneytrail db skip-batch --topic t --partition 2 --offset 40 --reason") })]);
      expect(c.held.get(2)).toMatchObject({ offset: "40" });
      decision = DECISION;
      vi.advanceTimersByTime(HOLD_RECHECK_MS);
      // kafkajs fetches from the offset after what was handed on
      await c.fetched(await refusedRecords());
    } finally {
      vi.useRealTimers();
    }
    expect(c.asked.map((b) => b.offset)).toEqual(["40", "40"]);
    expect(c.handed.map((ms) => ms.map((m) => m.offset))).toEqual([["39"], ["40", "41", "42"]]);
    expect(c.held.size).toBe(0);
  });

  it("is not asked about for a batch without a refused one", async () => {
    const c = consumer(() => DECISION);
    await c.fetched([before, after]);
    expect(c.asked).toEqual([]);
  });
});

describe("skipBatch (db skip-batch's record)", () => {
  it("records the decision and its audit row; refuses one the group's position is past, or one made already", async () => {
    const db = await testDb();
    try {
      const skip = { groupId: "g", topic: "events.test", partition: 0, offset: "40", reason: "hostile batch", by: "operator" };
      await db.query("INSERT INTO mt_partitions (group_id, topic, partition, epoch, next_offset) VALUES ('g', 'events.test', 0, 1, 40)");
      const r = await skipBatch(db, skip);
      expect(r).toEqual({ recorded: { by: "operator", at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), reason: "hostile batch" } });
      expect(await skippedBatch(db, "events.test", 0, "40")).toEqual((r as { recorded: SkipDecision }).recorded);
      // every group's consumers honour it: the topic, partition and first offset are its key
      expect(await skippedBatch(db, "events.test", 1, "40")).toBeUndefined();
      const audit = await db.query<{ actor: string; action: string; target: string; after: unknown }>("SELECT actor, action, target, after FROM mt_audit WHERE action = 'batch-skip'");
      expect(audit.rows).toEqual([{ actor: "console", action: "batch-skip", target: "events.test[0]@40", after: { by: "operator", at: expect.any(String), reason: "hostile batch", group: "g" } }]);
      expect(await skipBatch(db, { ...skip, reason: "again" })).toEqual({ already: (r as { recorded: SkipDecision }).recorded });
      expect(await skipBatch(db, { ...skip, offset: "39" })).toEqual({ passed: "40" });
      expect((await db.query("SELECT 1 FROM mt_audit WHERE action = 'batch-skip'")).rows).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});

describe("db skip-batch refuses before connecting", () => {
  const refused = (...args: string[]) => {
    // nothing listens there: a command that got as far as connecting would end with exit 1
    const r = spawnSync(process.execPath, [...CLI, "db", "skip-batch", ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, MT_EVENTS_TOPIC: "", DATABASE_URL: "postgres://x@127.0.0.1:1/x" } });
    expect(r.status, r.stderr).toBe(2);
    return r.stderr;
  };

  it("an offset that is not one, an empty reason, a missing reason", { timeout: 60_000 }, () => {
    expect(refused("--partition", "0", "--offset", "4x", "--reason", "r")).toBe("error: --offset 4x: an offset is a whole number, as the hold names it (offset N of topic[partition])\n");
    expect(refused("--partition", "0", "--offset", "40", "--reason", " ")).toBe("error: --reason is empty: say why the batch is skipped (it is kept with the decision and in the audit trail)\n");
    expect(refused("--partition", "0", "--offset", "40")).toBe("error: required option '--reason <text>' not specified\n");
    expect(refused("--partition", "-1", "--offset", "40", "--reason", "r")).toMatch(/^error: option '--partition <n>' argument '-1' is invalid/);
  });
});
