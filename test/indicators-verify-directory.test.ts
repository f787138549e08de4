// `moneytrail indicators verify DIR` refuses what loading DIR refuses: two files under one set id. Each verified on
// its own, both said "ok", and then `run` (MT_INDICATORS) and `replay --indicators` refused the directory.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { readIndicatorSets } from "../src/indicators/index.js";
import { CLI } from "./helpers/cli.js";

describe("indicators verify DIR", () => {
  it("refuses a second file under a set id, as loading the directory does, and still checks the others", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-verify-dir-"));
    const sample = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    const { id } = JSON.parse(readFileSync(sample, "utf8"));
    for (const name of ["a.json", "b.json"]) copyFileSync(sample, join(dir, name));
    const r = spawnSync(process.execPath, [...CLI, "indicators", "verify", dir, "--trust", join(SAMPLE_DIR, "trust.json")], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    const refusal = `set ${id} (version 1) is also in ${join(dir, "a.json")} (version 1): give one version of a set, its latest; move the other file away`;
    expect(r.stdout.split("\n")).toEqual([expect.stringMatching(/^ok {7}.*a\.json: /), `REFUSED  ${join(dir, "b.json")}: id: ${refusal}`, ""]);
    // the same words as loading it
    expect(() => readIndicatorSets(dir)).toThrow(refusal);
  });
});
