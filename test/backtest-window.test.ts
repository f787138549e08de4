// The window a backtest ran over is in its report, whatever kind of bound gave it, and a bound that cannot be one
// is refused saying what is expected.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { BacktestError, backtest, parseBound } from "../src/app/backtest.js";
import { backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

describe("backtest window bounds", () => {
  it("a line number counts from 1: --from 0 says so", () => {
    expect(() => parseBound("--from", "0")).toThrow(new BacktestError("--from 0: lines are counted from 1 (the file's first line); give 1 or more, or an RFC 3339 time"));
    expect(() => parseBound("--to", "99999999999999999999")).toThrow(BacktestError);
  });

  it("on a topic a plain integer is an offset (0 included), and the report names it as one", async () => {
    expect(parseBound("--from", "0", true)).toEqual({ offset: 0 });
    expect(parseBound("--to", "2026-04-01T00:00:00Z", true)).toEqual({ time: "2026-04-01T00:00:00Z" });
    const rs = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const events = join(SAMPLE_DIR, "events.ndjson");
    // the source applies offsets; the backtest carries them into the report
    const r = await backtest({ events: { name: "topic t", batches: readLineBatches(events) }, from: { offset: 10 }, to: { offset: 20 }, baseline: rs, candidate: rs, indicators: new IndicatorIndex() });
    expect(r.events).toMatchObject({ from: { offset: 10 }, to: { offset: 20 } });
    expect(backtestTables(r).split("\n")[0]).toMatch(/from topic t from offset 10 of every partition to offset 20 of every partition/);
  });
});
