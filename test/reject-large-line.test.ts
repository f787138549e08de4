// A line whose reject cannot be one JavaScript string (at most 512 Mi characters, and JSON writes a control character
// as six) crashed replay with "Invalid string length" and a stack trace. Such a line is rejected with its line number,
// its reason, its size and its first bytes, and the replay goes on.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { REJECT_HEAD_BYTES, WHOLE_REJECT_BYTES, rejectRecord } from "../src/sinks/ndjson.js";
import { indexOf, merchant, resetEvents, ruleSetWith } from "./helpers/events.js";

describe("the reject of a very large line", () => {
  it("keeps a line that fits whole, base64 when it is not UTF-8", () => {
    expect(rejectRecord(3, "r", Buffer.from("abc"), 3)).toEqual({ line: 3, reason: "r", raw: "abc" });
    expect(rejectRecord(3, "r", Buffer.from([0xc9, 0x41]), 3)).toEqual({ line: 3, reason: "r", rawBase64: "yUE=" });
  });

  it("keeps the size and the head of a longer one, cut at a character's start", () => {
    // "é" is two bytes: a cut at an odd byte would split one
    const text = Buffer.from("é".repeat(40_000));
    const r = rejectRecord(7, "too large", text, 1000);
    expect(r).toEqual({ line: 7, reason: "too large", bytes: 80_000, rawHead: "é".repeat(500) });
    // the head is at most REJECT_HEAD_BYTES, and at most the limit; one that is not UTF-8 in base64
    const odd = Buffer.alloc(REJECT_HEAD_BYTES * 2, 0xff);
    expect(rejectRecord(1, "r", odd, 2 * REJECT_HEAD_BYTES - 1)).toEqual({ line: 1, reason: "r", bytes: odd.length, rawHeadBase64: odd.subarray(0, REJECT_HEAD_BYTES).toString("base64") });
    expect(rejectRecord(1, "r", Buffer.from("x".repeat(30)), 3)).toEqual({ line: 1, reason: "r", bytes: 30, rawHead: "xxx" });
  });

  it("keeps whole only what fits one string however it is escaped", () => {
    expect(WHOLE_REJECT_BYTES * 6 + REJECT_HEAD_BYTES).toBeLessThan(2 ** 29 - 24);
  });

  it("replay rejects a line of 90 MB of control characters with its number and size, and goes on", { timeout: 120_000 }, async () => {
    resetEvents();
    const dir = mkdtempSync(join(tmpdir(), "mt-reject-large-"));
    const events = join(dir, "events.ndjson");
    const size = 90_000_000;
    // escaped, 540 million characters: more than a string holds
    writeFileSync(events, Buffer.concat([Buffer.from(`${JSON.stringify(merchant())}\n`), Buffer.alloc(size, 1), Buffer.from(`\n${JSON.stringify(merchant())}\n`)]));
    const rejects = join(dir, "r.ndjson");
    const s = await replay({ events, out: join(dir, "a.ndjson"), rejects, ruleSet: ruleSetWith("rules: []"), indicators: indexOf() });
    expect(s).toMatchObject({ lines: 3, events: 2, rejected: 1 });
    const reject = JSON.parse(readFileSync(rejects, "utf8")) as Record<string, unknown>;
    expect(reject).toEqual({ line: 2, reason: expect.stringMatching(/^too large: 90000000 bytes, the limit is 65536/), bytes: size, rawHead: "\u0001".repeat(REJECT_HEAD_BYTES) });
  });
});
