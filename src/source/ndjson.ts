// NDJSON file source: yields each line's raw bytes with its line number, and how far through the file it is.
import { createReadStream, statSync } from "node:fs";

export interface Line {
  n: number;
  bytes: Buffer;
}

/** Filled in as the file is read: every line (the last one also without its newline), and the blank ones skipped. */
export interface LineCount {
  lines: number;
  blank: number;
}

// JSON's whitespace but the newline: a line of only these is blank, not an event nor a bad one
const blankByte = (b: number): boolean => b === 32 || b === 9 || b === 13;

/** Lines in batches (one per chunk read), so the per-line cost is a loop step, not an await. Blank lines are skipped (and counted). */
export async function* readLineBatches(
  path: string,
  onProgress?: (bytesRead: number, total: number) => void,
  count: LineCount = { lines: 0, blank: 0 },
): AsyncGenerator<Line[]> {
  const total = statSync(path).size;
  let carry: Buffer | null = null;
  let n = 0;
  let blank = 0;
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const batch: Line[] = [];
    // a UTF-8 byte-order mark, as some Windows editors write, is not part of the first event
    let start = read === chunk.length && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      n++;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      // an event's line starts with "{": one comparison
      let i = start;
      while (i < end && blankByte(buf[i]!)) i++;
      if (i < end) batch.push({ n, bytes: buf.subarray(start, end) });
      else blank++;
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : null;
    count.lines = n;
    count.blank = blank;
    onProgress?.(read, total);
    if (batch.length) yield batch;
  }
  if (carry) {
    count.lines = ++n;
    if (carry.every(blankByte)) count.blank = ++blank;
    else yield [{ n, bytes: carry }];
  }
}
