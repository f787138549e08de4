// decode() on the message's bytes as the contract defines them (UTF-8 JSON): bytes that are not UTF-8 are refused,
// not read with U+FFFD in place of the characters; a UTF-8 byte-order mark is ignored, as RFC 8259 allows; a replay
// file's line that is not UTF-8 goes to the rejects file with its bytes as they were.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "../src/decode/decode.js";
import { replay } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { resetEvents, tx } from "./helpers/events.js";

/** a transaction's JSON with its descriptor's bytes given as they are, to put any bytes in the middle of an event */
function withDescriptor(bytes: number[]): Buffer {
  resetEvents();
  const [head, tail] = JSON.stringify(tx({ descriptor: "@" })).split("@");
  return Buffer.concat([Buffer.from(head!), Buffer.from(bytes), Buffer.from(tail!)]);
}

describe("bytes that are not UTF-8", () => {
  it("are refused, naming the first bad byte and its offset, whatever the way they are not UTF-8", () => {
    // what, the bytes, and which of them is the first that is not UTF-8
    const cases: [string, number[], number][] = [
      ["Latin-1 É", [0x43, 0x41, 0x46, 0xc9], 3],
      ["a lone continuation byte", [0x80], 0],
      ["an overlong slash", [0xc0, 0xaf], 0],
      ["an encoded surrogate", [0xed, 0xa0, 0x80], 0],
      ["a character cut short", [0x41, 0xe2, 0x82], 1],
      ["0xff", [0xff], 0],
    ];
    for (const [what, bytes, first] of cases) {
      const b = withDescriptor(bytes);
      const offset = b.indexOf(Buffer.from(bytes)) + first;
      expect(decode(b), what).toEqual({
        ok: false,
        kind: "not-json",
        reason: `not JSON: not UTF-8 (byte 0x${bytes[first]!.toString(16)} at offset ${offset}): the contract's events are UTF-8 JSON; encode the text as UTF-8 (not Latin-1 or Windows-1252) and send it again`,
      });
    }
  });

  it("are not confused with characters of several bytes, which are read as sent", () => {
    const e = decode(withDescriptor([...Buffer.from("CAFÉ € 𝄞")]));
    expect(e.ok && e.event.type === "transaction" && e.event.descriptor).toBe("CAFÉ € 𝄞");
  });

  it("in a replay file, go to the rejects file with the line's bytes (base64) and the run goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-decode-bytes-"));
    resetEvents();
    const good = () => JSON.stringify(tx());
    const latin1 = withDescriptor([0x43, 0x41, 0x46, 0xc9]);
    // two events: one sent twice would be applied once
    writeFileSync(join(dir, "e.ndjson"), Buffer.concat([Buffer.from(`${good()}\n`), latin1, Buffer.from(`\n${good()}\n`)]));
    const s = await replay({ events: join(dir, "e.ndjson"), out: join(dir, "a.ndjson"), rejects: join(dir, "r.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: new IndicatorIndex(), progress: false });
    expect({ events: s.events, rejected: s.rejected }).toEqual({ events: 2, rejected: 1 });
    const reject = JSON.parse(readFileSync(join(dir, "r.ndjson"), "utf8")) as { line: number; reason: string; rawBase64: string };
    expect(reject).toMatchObject({ line: 2, reason: expect.stringMatching(/^not JSON: not UTF-8 \(byte 0xc9 at offset \d+\)/) });
    expect(Buffer.from(reject.rawBase64, "base64").equals(latin1)).toBe(true);
  });
});

describe("a UTF-8 byte-order mark", () => {
  it("before a message's JSON is ignored, as RFC 8259 lets a reader do, in bytes and in text", () => {
    resetEvents();
    const json = JSON.stringify(tx());
    expect(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]))).toEqual({ ok: true, event: JSON.parse(json) });
    expect(decode(`\ufeff${json}`)).toEqual({ ok: true, event: JSON.parse(json) });
  });
});
