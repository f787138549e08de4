// A backtest's bad lines by reason, as `replay`'s rejects file gives them: the report listed them by kind only
// ("line 51: not-json"), so a tuner had to replay the file to learn what was wrong with them.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BacktestResult, MAX_REASONS, backtest } from "../src/app/backtest.js";
import { backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import type { Line } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

const rules = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
const valid = readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").filter(Boolean).slice(0, 3);
const MAX_BYTES = 4096;

async function* linesOf(lines: string[]): AsyncGenerator<Line[]> {
  yield lines.map((l, i) => ({ n: i + 1, bytes: Buffer.from(l) }));
}

describe("backtest: rejected lines by reason", () => {
  it("counts them by reason with their first lines, in the JSON and the summary", async () => {
    const refund = '{"type":"refund","eventId":"x"}';
    // one reason each: their sizes differ ("too large: N bytes", N the x's and the two quotes)
    const large = Array.from({ length: MAX_REASONS + 5 }, (_, i) => `"${"x".repeat(MAX_BYTES + i)}"`);
    const lines = [valid[0]!, refund, refund, valid[1]!, refund, "not json", refund, valid[2]!, ...large];
    const r = BacktestResult.parse(
      await backtest({ events: { name: "mixed", batches: linesOf(lines) }, baseline: rules, candidate: rules, indicators: new IndicatorIndex(), maxMessageBytes: MAX_BYTES }),
    );
    const { reasons, otherReasons, total } = r.events.rejected;
    expect(total).toBe(4 + 1 + large.length);
    expect(reasons).toHaveLength(MAX_REASONS);
    expect(reasons[0]).toMatchObject({ kind: "schema", count: 4, first: [{ line: 2 }, { line: 3 }, { line: 5 }] });
    expect(reasons[0]!.reason).toMatch(/^schema: /);
    expect(reasons[1]).toMatchObject({ kind: "not-json", count: 1, first: [{ line: 6 }] });
    expect(reasons[1]!.reason).toMatch(/^not JSON: /);
    expect(reasons[2]).toEqual({ kind: "too-large", reason: expect.stringMatching(new RegExp(`^too large: ${MAX_BYTES + 2} bytes, the limit is ${MAX_BYTES}`)), count: 1, first: [{ line: 9 }] });
    // the reasons met after the first MAX_REASONS are counted, not listed
    expect(otherReasons).toBe(2 + large.length - MAX_REASONS);

    const summary = backtestTables(r);
    expect(summary).toContain(`Skipped, by reason:\n  4 × ${reasons[0]!.reason} (line 2, line 3, line 5, ...)\n  1 × ${reasons[1]!.reason} (line 6)\n  1 × ${reasons[2]!.reason} (line 9)\n`);
    // five shown: the rest in one line
    expect(summary).toContain(`\n  ${total - 4 - 1 - 3} more for other reasons (the JSON report counts up to ${MAX_REASONS} reasons)\n`);
  });

  it("carries no text of the lines: the parser's quote of a bad line is left out, so lines alike share a reason", async () => {
    const bad = ["https://site-a.example/gallery not json", "https://site-b.example/album not json"];
    const r = await backtest({ events: { name: "quoted", batches: linesOf([valid[0]!, ...bad]) }, baseline: rules, candidate: rules, indicators: new IndicatorIndex() });
    expect(r.events.rejected.reasons).toEqual([{ kind: "not-json", reason: `not JSON: Unexpected token 'h', "…" is not valid JSON`, count: 2, first: [{ line: 2 }, { line: 3 }] }]);
    expect(JSON.stringify(r)).not.toMatch(/site-[ab]\.example/);
    expect(backtestTables(r)).not.toMatch(/site-[ab]\.example/);
  });

  it("says nothing of reasons when no line was rejected", async () => {
    const r = await backtest({ events: { name: "clean", batches: linesOf(valid) }, baseline: rules, candidate: rules, indicators: new IndicatorIndex() });
    expect(r.events.rejected).toMatchObject({ total: 0, reasons: [], otherReasons: 0 });
    expect(backtestTables(r)).not.toContain("by reason");
  });
});
