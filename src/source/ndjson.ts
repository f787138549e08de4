// NDJSON file source: yields each line's raw bytes with its line number, and how far through the file it is.
import { createReadStream, statSync } from "node:fs";

export interface Line {
  n: number;
  bytes: Buffer;
}

/** Lines in batches (one per chunk read), so the per-line cost is a loop step, not an await. */
export async function* readLineBatches(
  path: string,
  onProgress?: (bytesRead: number, total: number) => void,
): AsyncGenerator<Line[]> {
  const total = statSync(path).size;
  let carry: Buffer | null = null;
  let n = 0;
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const batch: Line[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      n++;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      if (end > start) batch.push({ n, bytes: buf.subarray(start, end) });
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : null;
    onProgress?.(read, total);
    if (batch.length) yield batch;
  }
  if (carry && carry.length) yield [{ n: n + 1, bytes: carry }];
}
