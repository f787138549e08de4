// Redaction censors secrets and masks e-mail addresses; it drops nothing else of a logged object.
import { describe, it, expect } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../src/lib/log.js";

describe("redaction keeps the fields it has no reason to drop", () => {
  // a plain object's `message` and `stack` were dropped (the skip meant for an Error's own copy applied to any object)
  it("keeps a plain object's message and stack fields, and still masks e-mail addresses in them", () => {
    const lines: Record<string, any>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString())), cb()) });
    const log = createLogger("info", sink);
    log.warn({ delivery: { status: 500, message: "receiver said no to ops@bank.example", stack: "at receiver (handler.js:1)" } }, "webhook");
    expect(lines[0]!.delivery).toEqual({ status: 500, message: "receiver said no to [redacted]", stack: "at receiver (handler.js:1)" });
  });
});
