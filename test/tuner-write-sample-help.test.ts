// A tuner ran `write-sample.ts --help` and got a stack trace ("seed must be an integer, got --help"); with --near-line
// the "wrote" line gave one count far above --events (the near-the-line merchants' events come on top) and did not
// say so. --help now prints the usage, a wrong argument a line without a stack, and the counts are given apart.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

const dir = mkdtempSync(join(tmpdir(), "mt-write-sample-help-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const writeSample = (...args: string[]) =>
  spawnSync(join(PACKAGE_ROOT, "node_modules", ".bin", "tsx"), ["src/fixtures/write-sample.ts", ...args], { cwd: PACKAGE_ROOT, encoding: "utf8", timeout: 120_000 });

describe("write-sample.ts", () => {
  it("--help prints the usage of each form, whichever form it follows", () => {
    for (const args of [["--help"], ["-h"], ["population", "--help"]]) {
      const r = writeSample(...args);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("write-sample.ts population DIR [--seed N] [--merchants N] [--events N]");
      expect(r.stdout).toContain("near-line-report DIR");
    }
  });

  it("a wrong argument is one line saying what to give, without a stack trace", () => {
    for (const args of [["--seed"], ["population", dir, "--events", "many"], ["population", dir, "--evnts", "10"]]) {
      const r = writeSample(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toMatch(/--help/);
    }
  });

  it("says the near-the-line merchants' events apart from the --events asked", () => {
    const r = writeSample("population", dir, "--seed", "7", "--merchants", "400", "--events", "4000", "--near-line", "0.05");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const m = /^wrote (\d+) events of (\d+) merchants \(--events 4000\), and (\d+) events of (\d+) near-the-line merchants on top: (\d+) events in all, /.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [, events, , near, nearMerchants, all] = m!.map(Number);
    expect(events).toBe(4000);
    expect(nearMerchants).toBe(20);
    expect(near).toBeGreaterThan(0);
    expect(events! + near!).toBe(all);
    expect(readFileSync(join(dir, "events.ndjson"), "utf8").trimEnd().split("\n")).toHaveLength(all!);
  });
});
