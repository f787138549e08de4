// A backtest over events sent twice (a producer's retry, a file concatenated with itself in part): the engine skips
// an event id its merchant was sent already, as `run` and `replay` do, but the backtest said nothing of them, so its
// lines did not add up (read = processed + rejected + outside the window, the repeats missing) and a tuner comparing
// it with replay's "N repeated" could not tell where those events went.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BacktestResult, backtest } from "../src/app/backtest.js";
import { backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import type { Line } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

const rules = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
const valid = readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").filter(Boolean).slice(0, 6);

async function* linesOf(lines: string[]): AsyncGenerator<Line[]> {
  yield lines.map((l, i) => ({ n: i + 1, bytes: Buffer.from(l) }));
}

describe("backtest: events sent twice", () => {
  it("counts the repeats, so the lines add up, and says so in the summary", async () => {
    const lines = [...valid, valid[2]!, valid[3]!, "not json"];
    const r = BacktestResult.parse(await backtest({ events: { name: "twice", batches: linesOf(lines) }, baseline: rules, candidate: rules, indicators: new IndicatorIndex() }));
    expect(r.events).toMatchObject({ lines: 9, processed: 6, repeated: 2, outsideWindow: 0 });
    expect(r.events.processed + r.events.repeated + r.events.rejected.total + r.events.outsideWindow).toBe(r.events.lines);
    expect(backtestTables(r).split("\n")[0]).toBe(
      "6 events of 5 merchants from twice; 2 repeated (an event id its merchant was sent already: skipped, as run and replay skip it); 1 bad lines skipped (line 9: not-json; `moneytrail replay` on the file writes each with its reason)",
    );
  });

  it("says nothing of repeats when there are none", async () => {
    const r = await backtest({ events: { name: "once", batches: linesOf(valid) }, baseline: rules, candidate: rules, indicators: new IndicatorIndex() });
    expect(r.events.repeated).toBe(0);
    expect(backtestTables(r)).not.toContain("repeated");
  });
});
