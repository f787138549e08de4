// A rule tuner's backtest without --indicators (the README's own example line has none) ran the rules that match
// indicator sets against no set at all: on the labelled sample 7 of 12 positives were "missed" and nothing said
// why. It now says which rules had nothing to match and what to give.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-backtest-no-ind-"));
const backtest = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [...CLI, "backtest", "--events", join(SAMPLE_DIR, "events.ndjson"), "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--labels", join(SAMPLE_DIR, "labels.json"), ...args],
    { cwd: dir, encoding: "utf8", timeout: 60_000 },
  );

describe("backtest without indicator sets", () => {
  it("names the rules that had no set to match, and says nothing when sets are given", { timeout: 60_000 }, () => {
    const without = backtest();
    expect(without.status, without.stderr).toBe(0);
    expect(without.stderr).toBe(
      "note: no indicator sets given (--indicators): descriptor-keywords, flagged-site-link, listed-identifier, shared-infrastructure matched no listed site, identifier or keyword in either run; give --indicators with the sets in force to backtest them too\n",
    );
    const given = backtest("--indicators", join(SAMPLE_DIR, "indicators"), "--trust", join(SAMPLE_DIR, "trust.json"));
    expect(given.status, given.stderr).toBe(0);
    expect(given.stderr).toBe("");
  });

  // backtest took sets without checking them, and without a word, where replay checks them with --trust and warns
  it("checks the sets' signatures with --trust, and warns without it, as replay does", { timeout: 60_000 }, () => {
    const sets = join(dir, "tampered");
    mkdirSync(sets);
    const set = JSON.parse(readFileSync(join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "utf8"));
    set.entries[0].confidence = set.entries[0].confidence === 50 ? 51 : 50;
    writeFileSync(join(sets, "coalition-sample.json"), JSON.stringify(set));
    const refused = backtest("--indicators", sets, "--trust", join(SAMPLE_DIR, "trust.json"));
    expect(refused.status, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/coalition-sample\.json/);
    expect(refused.stdout).toBe("");
    const unchecked = backtest("--indicators", sets);
    expect(unchecked.status, unchecked.stderr).toBe(0);
    expect(unchecked.stderr).toBe("warning: indicator sets are taken without checking signatures: give --trust with the publishers' keys\n");
  });
});
