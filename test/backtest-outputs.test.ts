// The backtest writes its reports when the run is over: one named like an input (the events, the labels) replaced
// that input with the report, and --json and --html the same file kept only the page; a report that could not be
// written at all (a directory, a path under a file) was said only after the whole run. Refused before the run.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-backtest-outputs-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });

describe("backtest reports over its inputs", () => {
  const sample = readFileSync(join(SAMPLE_DIR, "events.ndjson"));
  const labels = readFileSync(join(SAMPLE_DIR, "labels.json"));
  writeFileSync(join(dir, "events.ndjson"), sample);
  writeFileSync(join(dir, "labels.json"), labels);
  symlinkSync(join(dir, "events.ndjson"), join(dir, "link.json"));
  mkdirSync(join(dir, "reports"));
  const backtest = ["backtest", "--events", "events.ndjson", "--labels", "labels.json", "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress"];

  it.each([
    [["--json", "events.ndjson"], "--json events.ndjson is the --events file events.ndjson"],
    [["--html", "link.json"], "--html link.json is the --events file events.ndjson"],
    [["--json", "labels.json"], "--json labels.json is the --labels file labels.json"],
    [["--json", "r.out", "--html", "./r.out"], "--json and --html are the same file r.out"],
    [["--html", "reports"], "--html reports is a directory: give a file"],
    [["--json", "reports/new/r.json", "--html", "labels.json/r.html"], "labels.json/r.html: a part of the path is not a directory"],
  ])("%j is refused, and the inputs stay", { timeout: 60_000 }, (flags, message) => {
    const r = cli(...backtest, ...flags);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error: ${r.stderr.slice(7).split("\n")[0]}\n`);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
    expect(readFileSync(join(dir, "events.ndjson")).equals(sample)).toBe(true);
    expect(readFileSync(join(dir, "labels.json")).equals(labels)).toBe(true);
  });
});
