// The Kafka codecs of src/source/codecs.ts: each reads its format (snappy both framed, as the Java client writes
// it, and plain), and refuses a batch that would decompress to more than the bound without allocating its output.
import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import kafkajs, { CompressionTypes, type EachBatchPayload, type KafkaMessage } from "kafkajs";
import { DEFAULT_MAX_BATCH_BYTES, refusedBatch, registerCodecs } from "../src/source/codecs.js";
import { HOLD_RECHECK_MS, holdingRefused, type HeldBatch } from "../src/source/kafka.js";

const require = createRequire(import.meta.url);
const snappy: { compress(b: Buffer): Buffer } = require("snappyjs");
const lz4: { compress(b: Buffer): Uint8Array } = require("lz4js");
// kafkajs's own record batch encoding and decoding, as on the wire and in a fetch response
const Long: { fromNumber(n: number): unknown } = require("kafkajs/src/utils/long");
const Decoder: new (b: Buffer) => unknown = require("kafkajs/src/protocol/decoder");
const Record: (r: { offsetDelta: number; key: Buffer; value: Buffer }) => unknown = require("kafkajs/src/protocol/recordBatch/record/v0");
const { RecordBatch }: { RecordBatch(b: { compression: number; firstOffset: unknown; lastOffsetDelta: number; records: unknown[] }): Promise<{ buffer: Buffer }> } = require("kafkajs/src/protocol/recordBatch/v0");
const decodeBatch: (d: unknown) => Promise<{ records: { offset: string; key: Buffer | null; headers: Record<string, Buffer> }[] }> = require("kafkajs/src/protocol/recordBatch/v0/decoder");

const BOUND = 16 << 20;
const MiB = 1 << 20;
const { CompressionCodecs } = kafkajs;
type Compressed = Exclude<CompressionTypes, CompressionTypes.None>;
const read = (type: Compressed, data: Buffer): Promise<Buffer> => CompressionCodecs[type]().decompress(data);

const text = Buffer.from("a placeholder record of the example.test contract, ".repeat(2000));

/** snappy-java's stream framing: magic, version 1, compatible version 1, then each block after its length. */
function xerial(...blocks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  return Buffer.concat([header, ...blocks.flatMap((b) => [Buffer.from(Uint32Array.of(0).buffer).fill(0).map((_, i) => (b.length >>> (8 * (3 - i))) & 0xff), b])]);
}

/** A zstd frame of RLE blocks (each `blockBytes` of one byte), with `header` after the magic number. */
function zstdRle(header: number[], blocks: number, blockBytes: number, byte = 0x61): Buffer {
  const out = [0x28, 0xb5, 0x2f, 0xfd, ...header];
  for (let i = 0; i < blocks; i++) {
    const h = (i === blocks - 1 ? 1 : 0) | (1 << 1) | (blockBytes << 3);
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, byte);
  }
  return Buffer.from(out);
}
// frame header descriptors: no content size, a window of 128 KiB (2^17: exponent 7 above 2^10)
const WINDOW_128K = [0x00, 7 << 3];

/** An LZ4 frame of `copies` times lz4js's block of 4 MiB of zeros: its blocks say 4 MiB each at most. */
function lz4Frame(copies: number): Buffer {
  const one = Buffer.from(lz4.compress(Buffer.alloc(4 * MiB)));
  const block = one.subarray(7, one.length - 4);
  return Buffer.concat([one.subarray(0, 7), ...Array<Buffer>(copies).fill(block), Buffer.alloc(4)]);
}

beforeAll(() => registerCodecs(BOUND));
afterAll(() => registerCodecs(DEFAULT_MAX_BATCH_BYTES));

describe("codecs read their formats", () => {
  it("gzip", async () => {
    expect(await read(CompressionTypes.GZIP, gzipSync(text))).toEqual(text);
  });

  it("snappy in the Java client's framing (xerial) and plain", async () => {
    const [a, b] = [text.subarray(0, 40_000), text.subarray(40_000)];
    expect(await read(CompressionTypes.Snappy, xerial(snappy.compress(a), snappy.compress(b)))).toEqual(text);
    expect(await read(CompressionTypes.Snappy, snappy.compress(text))).toEqual(text);
  });

  it("lz4 frames", async () => {
    expect(await read(CompressionTypes.LZ4, Buffer.from(lz4.compress(text)))).toEqual(text);
  });

  it("zstd frames, with and without a declared size", async () => {
    expect(await read(CompressionTypes.ZSTD, zstdRle(WINDOW_128K, 3, 1000))).toEqual(Buffer.alloc(3000, 0x61));
    // single segment, content size in one byte
    expect(await read(CompressionTypes.ZSTD, zstdRle([0x20, 200], 1, 200))).toEqual(Buffer.alloc(200, 0x61));
  });

  it("zstd frames with a window of up to 8 MiB under a lower bound (the Java client's are a few MiB)", async () => {
    registerCodecs(1 << 20);
    try {
      expect(await read(CompressionTypes.ZSTD, zstdRle([0x00, 13 << 3], 1, 100))).toEqual(Buffer.alloc(100, 0x61));
    } finally {
      registerCodecs(BOUND);
    }
  });

  it("a codec that cannot compress says so", async () => {
    await expect(CompressionCodecs[CompressionTypes.ZSTD]().compress({ buffer: text })).rejects.toThrow(/writes ZSTD batches to no topic .*GZIP/);
  });
});

describe("a batch that would decompress to more than the bound is refused, its output never allocated", () => {
  // 200 MiB each (snappy: 24 MiB, its ratio is at most ~20): against a bound of 16 MiB
  const bombs: [string, Compressed, () => Buffer, RegExp][] = [
    ["gzip", CompressionTypes.GZIP, () => Buffer.concat(Array<Buffer>(200).fill(gzipSync(Buffer.alloc(MiB)))), /GZIP data decompresses to more than 16777216 bytes \(MT_MAX_BATCH_BYTES\)/],
    ["plain snappy", CompressionTypes.Snappy, () => Buffer.from([0x80, 0x80, 0x80, 0x64, 0x00, 0x00]), /SNAPPY data decompresses to more than 16777216 bytes/],
    ["xerial snappy", CompressionTypes.Snappy, () => xerial(...Array<Buffer>(24).fill(snappy.compress(Buffer.alloc(MiB)))), /SNAPPY data decompresses to more than 16777216 bytes/],
    ["lz4", CompressionTypes.LZ4, () => lz4Frame(50), /LZ4 data may decompress to more than 16777216 bytes/],
    ["zstd, sizes undeclared", CompressionTypes.ZSTD, () => zstdRle(WINDOW_128K, 1600, 128 * 1024), /ZSTD data decompresses to more than 16777216 bytes/],
    // fzstd would allocate the declared size, or the window, at once
    ["zstd, a size declared", CompressionTypes.ZSTD, () => zstdRle([0xa0, ...Buffer.from(Uint32Array.of(200 * MiB).buffer)], 1, 1), /ZSTD data declares more than 16777216 bytes/],
    ["zstd, a window of 1 GiB", CompressionTypes.ZSTD, () => zstdRle([0x00, 20 << 3], 1, 1), /ZSTD data declares more than 16777216 bytes/],
  ];

  for (const [name, type, bomb, refused] of bombs)
    it(name, async () => {
      const data = bomb();
      const peak = process.resourceUsage().maxRSS;
      await expect(read(type, data)).rejects.toThrow(refused);
      // the process's peak memory (KiB) grew by less than the bound, let alone the 200 MiB
      expect(process.resourceUsage().maxRSS - peak).toBeLessThan(BOUND / 1024);
    });
});

describe("a refused batch, read by a consumer that holds at it", () => {
  // three records of 8 MiB of zeros at offsets 40 to 42, gzip'd: over the bound
  const bomb = async () => {
    const records = [0, 1, 2].map((i) => Record({ offsetDelta: i, key: Buffer.from(`k${i}`), value: Buffer.alloc(8 * MiB) }));
    const batch = await RecordBatch({ compression: CompressionTypes.GZIP, firstOffset: Long.fromNumber(40), lastOffsetDelta: 2, records });
    return batch.buffer;
  };

  it("comes as one record per record of the batch, at its offsets, each saying why", async () => {
    const { records } = await decodeBatch(new Decoder(await bomb()));
    expect(records.map((r) => [r.offset, r.key, refusedBatch(r)])).toEqual(
      [40, 41, 42].map((o) => [String(o), null, { records: 3, why: "its GZIP data decompresses to more than 16777216 bytes (MT_MAX_BATCH_BYTES)" }]),
    );
  });

  it("holds its partition (holdingRefused): what comes before it handed on, paused, fetched again every 30 s, said once", async () => {
    const { records } = await decodeBatch(new Decoder(await bomb()));
    const before = { offset: "39", key: Buffer.from("k"), value: Buffer.from("v"), headers: {} };
    const handed: string[][] = [];
    const said: HeldBatch[] = [];
    let [paused, resumed] = [0, 0];
    const { eachBatch, held } = holdingRefused(
      async ({ batch }) => void handed.push(batch.messages.map((m) => m.offset)),
      (h) => said.push(h),
    );
    const fetched = (messages: unknown[]) =>
      eachBatch({ batch: { topic: "t", partition: 2, messages: messages as KafkaMessage[] }, pause: () => (paused++, () => void resumed++) } as unknown as EachBatchPayload);
    vi.useFakeTimers();
    try {
      await fetched([before, ...records]);
      vi.advanceTimersByTime(HOLD_RECHECK_MS);
      await fetched([before, ...records]);
    } finally {
      vi.useRealTimers();
    }
    expect(handed).toEqual([["39"], ["39"]]);
    expect(said).toEqual([expect.objectContaining({ topic: "t", partition: 2, offset: "40", records: 3 })]);
    expect([paused, resumed]).toEqual([2, 1]);
    expect(held.get(2)).toMatchObject({ offset: "40" });
    // a batch of the partition without it (the bound raised): no longer held
    await fetched([before]);
    expect(held.size).toBe(0);
  });

  it("cannot be passed for by a producer's header", () => {
    expect(refusedBatch({ headers: { "moneytrail-refused-batch": Buffer.from("3 its GZIP data decompresses to more than") } })).toBeUndefined();
  });
});
