// `replay --indicators DIR` with a directory that holds no set (a wrong directory: rules/, an empty one) ran with no
// indicator set and said nothing: the sample gave 6 alerts instead of 14, as if the sets had matched nothing.
// `indicators verify` and `stats` refuse such a directory; replay and backtest now refuse it the same way.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-replay-no-sets-"));
const events = join(dir, "events.ndjson");
writeFileSync(events, "");
const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });

describe("--indicators with a directory that holds no set", () => {
  it("is refused by replay and backtest, naming the directory, before anything is written", { timeout: 60_000 }, () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    for (const ind of [empty, DEFAULT_RULES]) {
      const r = run("replay", "--events", events, "--out", join(dir, "alerts.ndjson"), "--no-progress", "--indicators", ind);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${ind}: no *.json indicator set files in this directory: give a set file or a directory of them\n`);
    }
    const b = run("backtest", "--events", events, "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", "--indicators", empty);
    expect(b.status, b.stderr).toBe(2);
    expect(b.stderr).toBe(`error: ${empty}: no *.json indicator set files in this directory: give a set file or a directory of them\n`);
  });
});
