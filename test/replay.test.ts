// `moneytrail replay` on a file with bad lines: they are counted and written with line number, reason and bytes,
// and the run goes on to the end.
import { describe, it, expect } from "vitest";
import { existsSync, linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { UsageError } from "../src/lib/errors.js";
import { IndicatorIndex } from "../src/indicators/index.js";

describe("replay with bad input", () => {
  it("rejects bad lines with their number and reason, keeps their bytes, and alerts as if they were not there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-replay-"));
    const sample = readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").filter(Boolean);
    const bad = ['{"type":"transaction"', '{"type":"refund","eventId":"x"}', "not json at all", JSON.stringify({ type: "merchant", eventId: "m", merchantId: "x" })];
    const lines = [...sample.slice(0, 100), bad[0], ...sample.slice(100, 2000), bad[1], bad[2], "", ...sample.slice(2000), bad[3]];
    writeFileSync(join(dir, "mixed.ndjson"), `${lines.join("\n")}\n`);
    const common = { ruleSet: loadRuleSet(DEFAULT_RULES), indicators: loadIndicators(join(SAMPLE_DIR, "indicators")), progress: false };
    const mixed = await replay({ ...common, events: join(dir, "mixed.ndjson"), out: join(dir, "a.ndjson"), rejects: join(dir, "r.ndjson") });
    const clean = await replay({ ...common, events: join(SAMPLE_DIR, "events.ndjson"), out: join(dir, "b.ndjson"), rejects: join(dir, "s.ndjson") });

    expect(mixed.events).toBe(sample.length);
    expect(mixed.rejected).toBe(4);
    const rejects = readFileSync(join(dir, "r.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { line: number; reason: string; raw: string });
    expect(rejects.map((r) => r.line)).toEqual([101, 2002, 2003, lines.length]);
    expect(rejects.map((r) => r.raw)).toEqual(bad);
    expect(rejects[0]!.reason).toMatch(/^not JSON/);
    expect(rejects[1]!.reason).toMatch(/^schema: type/);
    expect(rejects[3]!.reason).toMatch(/^schema: .*occurredAt/);
    expect(readFileSync(join(dir, "a.ndjson"), "utf8")).toBe(readFileSync(join(dir, "b.ndjson"), "utf8"));
    expect(clean.rejected).toBe(0);
  });
});

describe("replay's count of lines", () => {
  it("counts every line of the file, blank ones (empty, spaces, a lone CR) apart, with the rejects' line numbers right", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-replay-blank-"));
    const sample = readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").filter(Boolean).slice(0, 300);
    const lines = [...sample.slice(0, 50), "", ...sample.slice(50, 100), " \t ", ...sample.slice(100, 150), "\r", "not json", ...sample.slice(150, 299), "\r", `${sample[299]!}\r`];
    // the last line has no newline, and CRLF ends two of them
    writeFileSync(join(dir, "blank.ndjson"), lines.join("\n"));
    const s = await replay({
      events: join(dir, "blank.ndjson"),
      out: join(dir, "a.ndjson"),
      rejects: join(dir, "r.ndjson"),
      ruleSet: loadRuleSet(DEFAULT_RULES),
      indicators: new IndicatorIndex(),
      progress: false,
    });
    expect({ lines: s.lines, events: s.events, rejected: s.rejected, blank: s.blank }).toEqual({ lines: lines.length, events: 300, rejected: 1, blank: 4 });
    expect(JSON.parse(readFileSync(join(dir, "r.ndjson"), "utf8"))).toMatchObject({ line: 154, raw: "not json" });
  });
});

describe("replay of a file saved with a byte-order mark", () => {
  it("reads the first line as an event, not as a reject", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-replay-bom-"));
    const sample = readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").filter(Boolean).slice(0, 20);
    writeFileSync(join(dir, "bom.ndjson"), `\ufeff${sample.join("\n")}\n`);
    const s = await replay({ events: join(dir, "bom.ndjson"), out: join(dir, "a.ndjson"), rejects: join(dir, "r.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: new IndicatorIndex(), progress: false });
    expect({ lines: s.lines, events: s.events, rejected: s.rejected }).toEqual({ lines: 20, events: 20, rejected: 0 });
  });
});

describe("replay's files", () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-replay-files-"));
  const events = join(dir, "events.ndjson");
  const sample = readFileSync(join(SAMPLE_DIR, "events.ndjson"));
  writeFileSync(events, sample);
  symlinkSync(events, join(dir, "symlink.ndjson"));
  linkSync(events, join(dir, "hardlink.ndjson"));
  const run = (o: { events?: string; out: string; rejects?: string }) =>
    replay({ events, rejects: join(dir, "r.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: new IndicatorIndex(), progress: false, ...o });

  // the message of a UsageError (what the command prints, exit 2)
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail("not refused"),
      (err: unknown) => (expect(err).toBeInstanceOf(UsageError), (err as Error).message),
    );

  it("refuses an output that is the events file by any name, before opening it", async () => {
    for (const out of [events, join(dir, ".", "events.ndjson"), join(dir, "symlink.ndjson"), join(dir, "hardlink.ndjson")])
      expect(await refusal(run({ out }))).toBe(`--out ${out} is the events file ${events}: writing the alerts there would destroy the events; give another --out file`);
    expect(await refusal(run({ events: join(dir, "symlink.ndjson"), out: join(dir, "a.ndjson"), rejects: events }))).toMatch(/^the rejects file .* is the events file .*give another --rejects file$/);
    expect(await refusal(run({ out: join(dir, "a.ndjson"), rejects: join(dir, "a.ndjson") }))).toMatch(/is the --out file: give another --rejects file$/);
    expect(readFileSync(events).equals(sample)).toBe(true);
    expect(existsSync(join(dir, "a.ndjson"))).toBe(false);
  });

  it("refuses events that are missing or a directory", async () => {
    expect(await refusal(run({ events: join(dir, "none.ndjson"), out: join(dir, "a.ndjson") }))).toMatch(/^no events file at /);
    expect(await refusal(run({ events: dir, out: join(dir, "a.ndjson") }))).toMatch(/is a directory: give the events file$/);
  });

  it("rejects with the path when an output cannot be opened or written, rather than crashing the process", async () => {
    await expect(run({ out: dir })).rejects.toMatchObject({ code: "EISDIR", path: dir });
    // /dev/full takes the open and fails every write
    if (existsSync("/dev/full")) await expect(run({ out: "/dev/full" })).rejects.toMatchObject({ code: "ENOSPC", path: "/dev/full" });
  });
});
