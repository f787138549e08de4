// A tuner who ran `cp -r rules my-rules` a second time edited my-rules/rules/sites.yaml, a copy the loader never
// reads (it reads the directory's own files): the backtest ran the unchanged set as the candidate and reported "No
// merchant gains or loses an alert", read as "the change does nothing". Only the two 12-digit versions, equal, said
// otherwise. A candidate that is the baseline's very rule set is now said in the summary (terminal and HTML), with
// what to check; a sweep over it (the usual way to sweep the set in force) is not a mistake and says nothing.
import { describe, it, expect } from "vitest";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BacktestResult, backtest, parseSweep, sweepRuleSets } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const rulesCopy = defaultRulesCopies("tuner-same-candidate");

const run = async (candidate: string, sweep?: string) =>
  BacktestResult.parse(
    await backtest({
      events: { name: EVENTS, batches: readLineBatches(EVENTS) },
      baseline: { name: "rules/", ruleSet: loadRuleSet(DEFAULT_RULES) },
      candidate: { name: candidate, ruleSet: loadRuleSet(candidate) },
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators")),
      ...(sweep && { sweep: sweepRuleSets(candidate, parseSweep(sweep)) }),
    }),
  );

describe("backtest: a candidate that is the baseline's rule set", () => {
  it("is said, with what to check, when the edit went into a copy the loader does not read", async () => {
    const dir = rulesCopy();
    // the second `cp -r rules my-rules`: a nested copy, edited
    cpSync(DEFAULT_RULES, join(dir, "rules"), { recursive: true });
    const nested = join(dir, "rules", "sites.yaml");
    writeFileSync(nested, readFileSync(nested, "utf8").replace("weight: 45", "weight: 48"));
    const r = await run(dir);
    const line = `B is the same rule set as A (version ${r.baseline.version.slice(7, 19)}): nothing is compared. Was the edit saved in ${dir}'s own files? \`moneytrail rules validate ${dir}\` lists the rules it reads and names the files and directories it does not.`;
    expect(backtestTables(r)).toContain(`\n${line}\n`);
    expect(backtestHtml(r)).toContain(line.replace(/'/g, "&#39;"));
  });

  it("says nothing when the candidate differs, or in a sweep", async () => {
    const changed = await run(rulesCopy({ "sites.yaml": (t) => t.replace("weight: 45", "weight: 48") }));
    expect(backtestTables(changed)).not.toContain("B is the same rule set as A");
    const swept = await run(DEFAULT_RULES, "undisclosed-referrers.weight=45:48:3");
    expect(backtestTables(swept)).not.toContain("B is the same rule set as A");
  });
});
