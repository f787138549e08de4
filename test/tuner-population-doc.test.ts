// The sample has 79 merchants; a tuner who wants to see a change on a larger labelled file (docs/performance.md
// scores the pack on generatePopulation's 20k merchants) found the function named in the README but no way to write
// its events, labels and indicator set to files, and read src/fixtures/generate.ts to make one. docs/backtest.md now
// gives the command (write-sample.ts population); this runs it as written, smaller, and backtests what it writes.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestResult, backtest, labelsFromFile } from "../src/app/backtest.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, PACKAGE_ROOT } from "../src/lib/paths.js";

const dir = mkdtempSync(join(tmpdir(), "mt-tuner-population-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first line of the shell block under "A larger labelled file": the command that writes the population. */
function documentedCommand(): string[] {
  const doc = readFileSync(join(PACKAGE_ROOT, "docs", "backtest.md"), "utf8");
  const section = doc.split(/^## A larger labelled file$/m)[1];
  expect(section, 'docs/backtest.md has a section "## A larger labelled file"').toBeDefined();
  const line = /```sh\n(npx tsx [^\n]+)\n/.exec(section!)?.[1];
  expect(line, "its sh block starts with npx tsx …").toBeDefined();
  return line!.split(" ");
}

describe("docs/backtest.md: a larger labelled file", () => {
  it("writes events, labels and the indicator set that a backtest takes", async () => {
    const [npx, tsx, script, ...args] = documentedCommand();
    expect([npx, tsx, script]).toEqual(["npx", "tsx", "src/fixtures/write-sample.ts"]);
    expect(args).toEqual(["population", "out/population", "--seed", "7", "--merchants", "20000", "--events", "200000"]);
    // as written, into a directory of the test's own and smaller
    const r = spawnSync(join(PACKAGE_ROOT, "node_modules", ".bin", "tsx"), [script!, "population", dir, "--seed", "7", "--merchants", "2000", "--events", "20000"], {
      cwd: PACKAGE_ROOT,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const events = join(dir, "events.ndjson");
    const truth = labelsFromFile(join(dir, "labels.json"));
    const result = BacktestResult.parse(
      await backtest({
        events: { name: events, batches: readLineBatches(events) },
        baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
        candidate: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
        indicators: loadIndicators(join(dir, "indicators")),
        truth,
      }),
    );
    expect(result.events.processed).toBe(20000);
    expect(result.labels!.positives).toBeGreaterThan(10);
    // the typology merchants are caught (listed sites need the indicator set), and no benign one is alerted
    expect(result.overall.b.recall).toBeGreaterThan(0.8);
    expect(result.overall.b.falsePositives).toBe(0);
  });
});
