// A MISP event whose to_ids or deleted was neither a boolean nor "0"/"1" (a tool writing "yes"), or whose timestamp was
// a date, was refused with zod's "Invalid input" or "must match pattern /^\d+$/": true, but no help to the member
// importing a partner's event. Each now says what the field takes.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importMispFeed } from "../src/indicators/misp.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

type Ev = { Event: { timestamp: unknown; Attribute: { to_ids: unknown; deleted?: unknown; timestamp?: unknown }[] } };
const base = JSON.parse(readFileSync(join(PACKAGE_ROOT, "fixtures", "misp-sightings", "event.json"), "utf8")) as Ev;

function refusal(edit: (e: Ev) => void): string {
  const e = structuredClone(base);
  edit(e);
  const file = join(mkdtempSync(join(tmpdir(), "mt-misp-malformed-")), "event.json");
  writeFileSync(file, JSON.stringify(e));
  try {
    importMispFeed(file);
  } catch (err) {
    return (err as Error).message.split("\n")[0]!.slice(file.length + 2);
  }
  throw new Error("imported");
}

describe("a malformed MISP event is refused saying what the field takes", () => {
  it("to_ids and deleted: true or false", () => {
    const flag = 'must be true or false (or "1" or "0", as MISP also writes it)';
    expect(refusal((e) => (e.Event.Attribute[0]!.to_ids = "yes"))).toBe(`Event.Attribute[0].to_ids: ${flag}`);
    expect(refusal((e) => (e.Event.Attribute[1]!.deleted = 2))).toBe(`Event.Attribute[1].deleted: ${flag}`);
  });

  it("a timestamp: seconds since 1970, not a date", () => {
    const seconds = "must be seconds since 1970, a whole number 0 or more, as MISP writes times (not a date)";
    expect(refusal((e) => (e.Event.timestamp = "2026-03-01"))).toBe(`Event.timestamp: ${seconds}`);
    expect(refusal((e) => (e.Event.Attribute[0]!.timestamp = -5))).toBe(`Event.Attribute[0].timestamp: ${seconds}`);
  });
});
