// NDJSON file sinks: alerts for replay, and rejects with the line number, the reason and the original bytes.
import { createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { once } from "node:events";

export class NdjsonWriter {
  private readonly stream: WriteStream;
  private failed?: Error;
  count = 0;

  /**
   * Opens (truncates) the file now, so a path that cannot be written throws here, with the path. A new file is its
   * owner's only (0600): rejects keep bad lines' original bytes, whatever a producer put in them, and alerts every
   * evidence address in full; a file already there keeps its mode, as whoever made it chose.
   */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { fd: openSync(path, "w", 0o600) });
    // a write error is kept for write() and close() to reject with (unheard, it would crash the process), with the
    // path, which errors of writes to an open file lack
    this.stream.on("error", (err: NodeJS.ErrnoException) => (this.failed ??= Object.assign(err, { path: err.path ?? path })));
  }

  async write(obj: unknown): Promise<void> {
    if (this.failed) throw this.failed;
    this.count++;
    if (!this.stream.write(`${JSON.stringify(obj)}\n`)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    // a failed stream is destroyed and never finishes
    if (this.failed) throw this.failed;
    this.stream.end();
    await once(this.stream, "finish");
  }
}

/**
 * Lines up to this size are kept whole in their reject. Its record is one JavaScript string, at most
 * MAX_STRING_LENGTH (512 MiB) characters, which JSON's escapes can make 6 times the line's bytes (a control character
 * is \u0000): 64 MiB fits whatever the line holds. A longer line (a file that is not NDJSON, a dump) would crash
 * the replay with a stack trace; its reject keeps its size and its first bytes, and the line stays in the events
 * file at its line number.
 */
export const WHOLE_REJECT_BYTES = 64 * 1024 * 1024;
/** of a longer line, enough to recognise it */
export const REJECT_HEAD_BYTES = 64 * 1024;

/**
 * A rejected input line as written to the rejects file: `raw` (base64 in `rawBase64` when the bytes are not UTF-8),
 * or of a line over `whole` bytes, its size in `bytes` and its first bytes in `rawHead` (or `rawHeadBase64`).
 */
export function rejectRecord(line: number, reason: string, bytes: Buffer, whole = WHOLE_REJECT_BYTES): Record<string, unknown> {
  if (bytes.length <= whole) return { line, reason, ...kept("raw", bytes) };
  return { line, reason, bytes: bytes.length, ...kept("rawHead", bytes.subarray(0, charStart(bytes, Math.min(REJECT_HEAD_BYTES, whole)))) };
}

function kept(field: string, bytes: Buffer): Record<string, string> {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? { [field]: text } : { [`${field}Base64`]: bytes.toString("base64") };
}

/** `at`, or the start of the UTF-8 character it falls in, so that a head cut there is still text */
function charStart(bytes: Buffer, at: number): number {
  let i = at;
  // a continuation byte (10xxxxxx) is inside a character; a character is at most 4 bytes
  while (i > 0 && at - i < 3 && (bytes[i]! & 0xc0) === 0x80) i--;
  return i;
}
