// NDJSON file sinks: alerts for replay, and rejects with the line number, the reason and the original bytes.
import { createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { once } from "node:events";

export class NdjsonWriter {
  private readonly stream: WriteStream;
  private failed?: Error;
  count = 0;

  /** Opens (truncates) the file now, so a path that cannot be written throws here, with the path. */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { fd: openSync(path, "w") });
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

/** A rejected input line as written to the rejects file; `raw` is base64 when the bytes are not UTF-8. */
export function rejectRecord(line: number, reason: string, bytes: Buffer): Record<string, unknown> {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? { line, reason, raw: text } : { line, reason, rawBase64: bytes.toString("base64") };
}
