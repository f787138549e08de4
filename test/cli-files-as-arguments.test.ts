// `moneytrail replay events.ndjson`, the way most tools take a file, got commander's "too many arguments for 'replay'.
// Expected 0 arguments but got 1." (or, with --out, that --events was missing): it now says the file goes with --events.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", timeout: 60_000 });
const events = join(SAMPLE_DIR, "events.ndjson");

describe("a file given as an argument to a command that takes it as --events", () => {
  it("replay and produce say how to give it", { timeout: 60_000 }, () => {
    for (const [args, example] of [
      [["replay", events], `moneytrail replay --events ${events} --out alerts.ndjson`],
      [["replay", events, "--out", "alerts.ndjson"], `moneytrail replay --events ${events} --out alerts.ndjson`],
      [["produce", events], `moneytrail produce --events ${events}`],
    ] as const) {
      const r = run(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${events}: the command takes its files as options, not arguments: ${example}\n`);
    }
  });
});
