// `moneytrail replay` on a file with bad lines: they are counted and written with line number, reason and bytes,
// and the run goes on to the end.
import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

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
