// NDJSON file sinks: alerts for replay, and rejects with the line number, the reason and the original bytes.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { once } from "node:events";

export class NdjsonWriter {
  private readonly stream: WriteStream;
  count = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path);
  }

  async write(obj: unknown): Promise<void> {
    this.count++;
    if (!this.stream.write(`${JSON.stringify(obj)}\n`)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, "finish");
  }
}

/** A rejected input line as written to the rejects file; `raw` is base64 when the bytes are not UTF-8. */
export function rejectRecord(line: number, reason: string, bytes: Buffer): Record<string, unknown> {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? { line, reason, raw: text } : { line, reason, rawBase64: bytes.toString("base64") };
}
