// The NDJSON reader under replay, backtest and produce: a line longer than a read (1 MiB) comes whole and is copied
// once, not once per read (a 200 MB line took 45 s); a byte-order mark before a first line that long is not part of
// it; the last line's CR, with no newline after it, is a line end as a CRLF's CR is.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLineBatches, type Line } from "../src/source/ndjson.js";

const dir = mkdtempSync(join(tmpdir(), "mt-ndjson-"));
async function linesOf(content: Buffer | string): Promise<Line[]> {
  const file = join(dir, `f-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, content);
  const out: Line[] = [];
  for await (const batch of readLineBatches(file)) out.push(...batch);
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("reading NDJSON", () => {
  it("copies a line of many reads once, and gives it whole with the right line numbers around it", async () => {
    const big = `{"pad":"${"x".repeat(24 << 20)}"}`;
    const content = `{"a":1}\n${big}\n{"b":2}\n`;
    const concat = vi.spyOn(Buffer, "concat");
    const lines = await linesOf(content);
    const copied = concat.mock.results.reduce((sum, r) => sum + (r.value as Buffer).length, 0);
    expect(lines.map((l) => [l.n, l.bytes.length])).toEqual([
      [1, 7],
      [2, big.length],
      [3, 7],
    ]);
    expect(lines[1]!.bytes.toString()).toBe(big);
    // once, with the start of the read after it: not the 24 + 23 + ... MiB of a copy per read
    expect(copied).toBeLessThan(2 * content.length);
  });

  it("leaves out a byte-order mark before a first line longer than a read", async () => {
    const first = `{"pad":"${"x".repeat(3 << 20)}"}`;
    const lines = await linesOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${first}\n{"b":2}\n`)]));
    expect(lines.map((l) => l.bytes.toString())).toEqual([first, '{"b":2}']);
  });

  it("ends the last line at a CR with no newline after it, as a CRLF ends the others", async () => {
    expect((await linesOf('{"a":1}\r\nnot json\r')).map((l) => l.bytes.toString())).toEqual(['{"a":1}', "not json"]);
  });
});
