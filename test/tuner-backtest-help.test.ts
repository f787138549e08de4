// A tuner new to the product ran `moneytrail backtest --help` first: it listed nineteen options and no command to
// start from, and nothing said that without --indicators the rules matching indicator sets find nothing. The help
// now ends with the first steps on the sample, as README and docs/backtest.md give them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

describe("moneytrail backtest --help", () => {
  it("ends with a first backtest to copy, on the sample", () => {
    const r = spawnSync(process.execPath, [...CLI, "backtest", "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`
Example, a change tried on the bundled sample (from the repository):
  cp -r rules my-rules                  # then edit my-rules/*.yaml
  npx moneytrail rules validate my-rules
  npx moneytrail backtest --events fixtures/sample/events.ndjson --baseline rules/ --candidate my-rules/ \\
    --indicators fixtures/sample/indicators --trust fixtures/sample/trust.json \\
    --labels fixtures/sample/labels.json --html out/backtest.html
Give --indicators with the sets in force: without them the rules that match indicator sets find nothing listed.
`);
  });
});
