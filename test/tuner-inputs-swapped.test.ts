// A tuner new to the backtest who gives the labels file as --events (or the events as --labels): the labels file's
// every line was skipped as a bad event and a report of nothing followed (0 events, 0 merchants, no merchant gains or
// loses an alert); the events file as --labels got JSON.parse's "Unexpected non-whitespace character after JSON at
// position 615". Each is refused now, saying which file goes where.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { BacktestError, backtest, labelsFromFile } from "../src/app/backtest.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { refusalOf } from "./helpers/refusals.js";

const LABELS = join(SAMPLE_DIR, "labels.json");
const EVENTS = join(SAMPLE_DIR, "events.ndjson");

describe("backtest inputs given in each other's place", () => {
  it("a file of which no line is an event is refused, not reported as a backtest of nothing", async () => {
    const rs = loadRuleSet(DEFAULT_RULES);
    const run = backtest({ events: { name: LABELS, batches: readLineBatches(LABELS) }, baseline: { name: "a", ruleSet: rs }, candidate: { name: "b", ruleSet: rs }, indicators: new IndicatorIndex() });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BacktestError);
    expect((err as Error).message).toMatch(
      new RegExp(`^--events ${LABELS}: none of its (\\d+) lines is an event \\(\\d+ not-json, \\d+ schema\\): give the recorded events, one JSON event a line \\(NDJSON, as replay reads them\\); a labels file goes to --labels$`),
    );
  });

  it("an events file given as the labels says so", () => {
    const e = refusalOf(() => labelsFromFile(EVENTS));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.message).toBe("this is a file of events (one JSON event a line), not a labels file: give it as --events, and as --labels a file such as fixtures/sample/labels.json");
  });
});
