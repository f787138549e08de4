// Kafka's compression codecs, read with a bound. kafkajs ships GZIP only, and decompresses it without one; upstream
// producers (the Java client) as often write LZ4, SNAPPY or ZSTD. Each codec here refuses a record batch that would
// decompress to more than the bound without allocating its whole output: a small hostile batch (a "gzip bomb")
// cannot take the process's memory. What the consumer does with a refused batch is in kafka.ts (startConsumer).
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import zlib from "node:zlib";
// the package's default export: Node's reading of kafkajs's CommonJS exports does not name CompressionCodecs
import kafkajs, { CompressionTypes, type KafkaMessage } from "kafkajs";
import { Decompress } from "fzstd";
import { INDICATOR_SET_MAX_BYTES } from "../indicators/schema.js";

const require = createRequire(import.meta.url);
// pure JavaScript, without types of their own
const snappy: { uncompress(block: Buffer, maxLength: number): Buffer } = require("snappyjs");
const lz4: { decompressBound(frame: Uint8Array): number; decompressFrame(frame: Uint8Array, out: Uint8Array): number } = require("lz4js");
// kafkajs's own record encoder, for the records that stand for a refused batch
const Encoder: new () => { writeEncoderArray(records: unknown[]): { buffer: Buffer } } = require("kafkajs/src/protocol/encoder");
const Record: (r: { offsetDelta: number; key: null; value: null; headers?: Record<string, string> }) => unknown = require("kafkajs/src/protocol/recordBatch/record/v0");

/**
 * The most a record batch may decompress to, by default: an indicator set at its largest (a batch of one message)
 * with room for its key and headers; a batch of events is far smaller.
 */
export const DEFAULT_MAX_BATCH_BYTES = INDICATOR_SET_MAX_BYTES + (1 << 20);
export const MAX_BATCH_BYTES_SETTING = "MT_MAX_BATCH_BYTES";

let maxBytes = DEFAULT_MAX_BATCH_BYTES;

/** A batch's data that cannot be read: more than the bound, or not valid data of its codec. */
class Unreadable extends Error {}

const tooLarge = (what: string) => new Unreadable(`${what} more than ${maxBytes} bytes (${MAX_BATCH_BYTES_SETTING})`);

const unzip = promisify(zlib.unzip);

async function gunzip(data: Buffer): Promise<Buffer> {
  try {
    // zlib stops once its output passes maxOutputLength, before allocating more
    return await unzip(data, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge("decompresses to");
    throw err;
  }
}

// the Java client (snappy-java's SnappyOutputStream) frames snappy blocks: this magic, a version and a compatible
// version (int32 each), then each block after its length (int32); others write one plain snappy block
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16;

function unsnappy(data: Buffer): Buffer {
  // a snappy block declares its length first: the library refuses one longer than what is left of the bound
  const block = (b: Buffer, room: number) => {
    try {
      return snappy.uncompress(b, room);
    } catch (err) {
      throw /too big/.test((err as Error).message) ? tooLarge("decompresses to") : err;
    }
  };
  if (!data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return block(data, maxBytes);
  const out: Buffer[] = [];
  let total = 0;
  for (let at = XERIAL_HEADER; at < data.length; ) {
    if (at + 4 > data.length) throw new Unreadable("a snappy block's length is cut short");
    const end = at + 4 + data.readInt32BE(at);
    if (end > data.length || end < at + 4) throw new Unreadable("a snappy block is cut short");
    const b = block(data.subarray(at + 4, end), maxBytes - total);
    out.push(b);
    total += b.length;
    at = end;
  }
  return Buffer.concat(out, total);
}

function unlz4(data: Buffer): Buffer {
  // the frame's declared content size, or its blocks at their largest (one more than it has: the library counts its
  // end mark as a block), known before anything is allocated
  const bound = lz4.decompressBound(data);
  if (!(bound <= maxBytes)) throw tooLarge("may decompress to");
  const out = new Uint8Array(bound);
  const n = lz4.decompressFrame(data, out);
  if (n > bound) throw new Unreadable(`an LZ4 frame holds more than the ${bound} bytes it declares`);
  return Buffer.from(out.buffer, 0, n);
}

/**
 * A window every zstd decoder takes (RFC 8878 asks for 8 MiB): fzstd allocates a frame's window whole, and a bound
 * below it would refuse the Java client's small batches (a window of a few MiB whatever their size).
 */
const ZSTD_WINDOW_TAKEN = 8 << 20;

/**
 * Checks each zstd frame's header before fzstd reads it: fzstd allocates the window a frame names, up to 2 GiB,
 * and the content size it declares. Walks the frames by their blocks' headers (RFC 8878, 3.1).
 */
function checkZstdFrames(data: Buffer): void {
  for (let at = 0; at < data.length; ) {
    const magic = data.readUInt32LE(at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      at += 8 + data.readUInt32LE(at + 4); // a skippable frame
      continue;
    }
    if (magic !== 0xfd2fb528) throw new Unreadable("not zstd data (no frame's magic number)");
    const fhd = data[at + 4]!;
    const single = (fhd >> 5) & 1;
    let pos = at + 5;
    let window = 0;
    if (!single) {
      const wd = data[pos++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    pos += [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = [single, 2, 4, 8][fhd >> 6]!;
    let content = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) content = content * 256 + data[pos + i]!;
    if (fcsBytes === 2) content += 256;
    pos += fcsBytes;
    if (single) window = content;
    if (window > Math.max(maxBytes, ZSTD_WINDOW_TAKEN) || content > maxBytes) throw tooLarge("declares");
    for (let last = 0; !last; ) {
      if (pos + 3 > data.length) throw new Unreadable("a zstd frame is cut short");
      const h = data.readUIntLE(pos, 3);
      last = h & 1;
      const type = (h >> 1) & 3;
      if (type === 3) throw new Unreadable("a zstd block of a reserved type");
      pos += 3 + (type === 1 ? 1 : h >>> 3);
    }
    at = pos + ((fhd >> 2) & 1) * 4;
  }
}

function unzstd(data: Buffer): Buffer {
  checkZstdFrames(data);
  const out: Uint8Array[] = [];
  let total = 0;
  // a frame need not declare its size (the Java client's do not): its blocks are counted as they come
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge("decompresses to");
    out.push(chunk);
  });
  stream.push(data, true);
  return Buffer.concat(out, total);
}

// ---------------------------------------------------------------------------------------------- refused batches

/**
 * A refused batch is handed to its consumer as records of its own: one per record of the batch, at their offsets,
 * each carrying REFUSED_HEADER; every consumer of moneytrail's looks for them (refusedBatch). kafkajs decompresses a
 * whole fetch response at once, so an error thrown here fails every partition of the response; these records fail
 * only the batch's own. The error is thrown only when the batch's header cannot be found or it has too many records.
 * (Consumers once opted in through an AsyncLocalStorage: on Node 20 that turns on a hook for every promise of the
 * process, which made the consumer's promise-heavy path about twice as slow, as bench:kafka showed.)
 */
const REFUSED_HEADER = "moneytrail-refused-batch";
// the header's value starts with it: a producer cannot write a record that passes for a refused batch
const TOKEN = randomUUID();
/** The batch a message stands for, refused (its count of records, and why), or undefined for a message of the topic. */
export function refusedBatch(m: Pick<KafkaMessage, "headers">): { records: number; why: string } | undefined {
  const r = standingFor(m);
  return r ? { records: Number(r[1]), why: r[3]! } : undefined;
}

/**
 * The first offset of the refused batch a message stands for: where a skip of it is recorded. The message's own
 * offset is not it when kafkajs fetched from inside the batch (a position saved part way through its records).
 */
export function refusedBatchOffset(m: Pick<KafkaMessage, "headers">): string | undefined {
  return standingFor(m)?.[2];
}

const standingFor = (m: Pick<KafkaMessage, "headers">) => {
  const v = m.headers?.[REFUSED_HEADER]?.toString();
  return v?.startsWith(TOKEN) ? /^(\d+) (\d+) (.*)$/s.exec(v.slice(TOKEN.length)) : null;
};

// the record batch header before its records (magic 2): baseOffset, batchLength, partitionLeaderEpoch, magic, crc,
// attributes, lastOffsetDelta, baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, records count
const BATCH_HEADER = 61;
// more records than this are not stood for (each is an object kafkajs makes): the error is thrown instead
const MAX_STAND_INS = 100_000;

/**
 * The batch header of `data`, a batch's compressed records as kafkajs hands them to a codec: a slice of the fetch
 * response, whose header is just before it. Undefined when the bytes there are not the header of this data.
 */
function batchOf(data: Buffer, type: number): { offset: bigint; count: number } | undefined {
  if (data.byteOffset < BATCH_HEADER) return undefined;
  const h = Buffer.from(data.buffer, data.byteOffset - BATCH_HEADER, BATCH_HEADER);
  const fits = h.readInt8(16) === 2 && (h.readInt16BE(21) & 7) === type && h.readInt32BE(8) === data.length + BATCH_HEADER - 12;
  return fits ? { offset: h.readBigInt64BE(0), count: h.readInt32BE(57) } : undefined;
}

function codec(name: string, type: number, decompress: (data: Buffer) => Buffer | Promise<Buffer>) {
  return {
    async compress(): Promise<Buffer> {
      throw new Error(`moneytrail writes ${name} batches to no topic (its producers write GZIP or uncompressed): use CompressionTypes.GZIP or None`);
    },
    async decompress(data: Buffer): Promise<Buffer> {
      try {
        return await decompress(data);
      } catch (err) {
        const why = `its ${name} data ${err instanceof Unreadable ? err.message : `cannot be read (${(err as Error).message})`}`;
        const batch = batchOf(data, type);
        if (batch && batch.count > 0 && batch.count <= MAX_STAND_INS) {
          // each carries the header: kafkajs leaves out those before the offset fetched from, which may be inside the batch
          const headers = { [REFUSED_HEADER]: `${TOKEN}${batch.count} ${batch.offset} ${why}` };
          const records = Array.from({ length: batch.count }, (_, i) => Record({ offsetDelta: i, key: null, value: null, headers }));
          return new Encoder().writeEncoderArray(records).buffer;
        }
        throw new Error(`a record batch${batch ? ` at offset ${batch.offset} (${batch.count} records)` : ""} was refused: ${why}`);
      }
    },
  };
}

const { CompressionCodecs } = kafkajs;
const gzip = CompressionCodecs[CompressionTypes.GZIP]();

/**
 * Puts the codecs in kafkajs (its registry is the process's: every client shares them) with `bytes` as the bound.
 * GZIP still compresses with kafkajs's own.
 */
export function registerCodecs(bytes: number): void {
  maxBytes = bytes;
  const readers = [
    [CompressionTypes.GZIP, { ...codec("GZIP", CompressionTypes.GZIP, gunzip), compress: gzip.compress }],
    [CompressionTypes.Snappy, codec("SNAPPY", CompressionTypes.Snappy, unsnappy)],
    [CompressionTypes.LZ4, codec("LZ4", CompressionTypes.LZ4, unlz4)],
    [CompressionTypes.ZSTD, codec("ZSTD", CompressionTypes.ZSTD, unzstd)],
  ] as const;
  for (const [type, reader] of readers) CompressionCodecs[type] = () => reader;
}
