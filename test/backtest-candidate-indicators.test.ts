// A coalition member given another member's new version of a set wants to see, on recorded events, which of its
// merchants the version would alert and which alerts it would take away (a revoked entry), before putting it in
// force. backtest took one --indicators for both runs, so it took two replays and a diff. --candidate-indicators
// gives B its own sets (checked with the same --trust), the rule set may be the same on both sides, and the summary
// says so and names the sets each side ran with.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestResult, backtest } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { signSet } from "../src/indicators/sign.js";
import type { IndicatorSet } from "../src/indicators/schema.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const SETS = join(SAMPLE_DIR, "indicators");
const TRUST = join(SAMPLE_DIR, "trust.json");
const SET_FILE = "coalition-sample.json";
/** a benign sample merchant no rule alerts: listed by merchant id in the new version */
const NEWLY_LISTED = "acq-nl:M-100007";
/** alerted only for its merchant id, listed by ind-6, which the new version revokes */
const REVOKED_MERCHANT = "acq-nl:M-109007";

const dir = mkdtempSync(join(tmpdir(), "mt-backtest-cand-sets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sample's set as its publisher's next version: one merchant-id entry added, ind-6 revoked; signed with the sample key, or not. */
function nextVersion(signed: boolean): IndicatorSet {
  const set = JSON.parse(readFileSync(join(SETS, SET_FILE), "utf8")) as IndicatorSet;
  const entries = set.entries.map((e) => (e.id === "ind-6" ? { ...e, revoked: true } : e));
  entries.push({ id: "ind-17", kind: "merchant-id", value: NEWLY_LISTED, confidence: 85, validUntil: "2027-02-28T00:00:00Z", tlp: "amber" });
  const next = { ...set, version: set.version + 1, entries, signature: undefined };
  return signed ? signSet(next, "hotline-sample-2026", readFileSync(join(SAMPLE_DIR, "keys", "hotline-sample-2026.key.pem"), "utf8")) : next;
}

/** a directory of sets holding one file */
function setsDir(name: string, set: unknown): string {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, SET_FILE), JSON.stringify(set, null, 2));
  return d;
}

const run = async (candidateSets: string) =>
  BacktestResult.parse(
    await backtest({
      events: { name: EVENTS, batches: readLineBatches(EVENTS) },
      baseline: { name: "rules/", ruleSet: loadRuleSet(DEFAULT_RULES) },
      candidate: { name: "rules/", ruleSet: loadRuleSet(DEFAULT_RULES) },
      indicators: loadIndicators(SETS),
      candidateIndicators: loadIndicators(candidateSets),
      truth: { source: "test", merchants: { [NEWLY_LISTED]: { label: "negative", typologies: [], detail: "benign" }, [REVOKED_MERCHANT]: { label: "positive", typologies: ["listed-identifier"], detail: "positive" } } },
    }),
  );

describe("backtest --candidate-indicators: a new version of a set against the one in force", () => {
  let r: BacktestResult;
  beforeAll(async () => {
    r = await run(setsDir("next", nextVersion(false)));
  });

  it("B gains the newly listed merchant and loses the one whose entry is revoked, and nothing else", () => {
    expect(r.alertsAdded.map((m) => [m.merchantId, m.label, m.b.live])).toEqual([[NEWLY_LISTED, "negative", ["listed-identifier"]]]);
    expect(r.alertsRemoved.map((m) => [m.merchantId, m.label, m.a.live])).toEqual([[REVOKED_MERCHANT, "positive", ["listed-identifier"]]]);
    expect(r.overall.b.alerted).toBe(r.overall.a.alerted);
    expect([r.overall.a.falsePositives, r.overall.b.falsePositives]).toEqual([0, 1]);
  });

  it("says which rules read the sets, and which sets each side ran with", () => {
    const listed = r.rules.find((x) => x.rule === "listed-identifier")!;
    expect([listed.change, listed.changedBy, listed.alertsAdded, listed.alertsRemoved]).toEqual(["changed", ["indicator sets"], 1, 1]);
    // a rule that reads no set is the same in both
    expect(r.rules.find((x) => x.rule === "card-testing")!.change).toBe("same");
    const ref = (version: number, entries: number) => ({ id: "coalition-sample-2026-03", publisher: "member:hotline-sample", version, entries });
    expect(r.indicators).toEqual({ a: [ref(1, 16)], b: [ref(2, 17)], differ: true });
    const tables = backtestTables(r);
    expect(tables).toContain("\nIndicator sets in A: coalition-sample-2026-03 version 1 (16 entries, member:hotline-sample)\n");
    expect(tables).toContain("\nIndicator sets in B: coalition-sample-2026-03 version 2 (17 entries, member:hotline-sample)\n");
    const line = "B is A's rule set with other indicator sets: the alerts it gains and loses are the sets' doing.";
    expect(tables).toContain(`\n${line}\n`);
    expect(tables).not.toContain("nothing is compared");
    expect(backtestHtml(r)).toContain(line.replace(/'/g, "&#39;"));
  });

  it("sets of the same content as A's compare nothing, and the summary says so", async () => {
    const same = await run(SETS);
    expect(same.alertsAdded.length + same.alertsRemoved.length).toBe(0);
    expect(same.indicators.differ).toBe(false);
    const tables = backtestTables(same);
    expect(tables).toContain("\nIndicator sets in A and B: coalition-sample-2026-03 version 1 (16 entries, member:hotline-sample)\n");
    expect(tables).toContain("B is the same rule set as A");
  });
});

describe("backtest --candidate-indicators on the command line", () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [...CLI, "backtest", "--events", EVENTS, "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", ...args], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });

  it("checks the candidate's sets with --trust: a signed version runs, one that does not verify is refused", { timeout: 120_000 }, () => {
    const signed = setsDir("signed", nextVersion(true));
    const json = join(dir, "signed.json");
    const ok = cli("--indicators", SETS, "--candidate-indicators", signed, "--trust", TRUST, "--json", json);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toBe(`wrote ${json}\n`);
    const r = BacktestResult.parse(JSON.parse(readFileSync(json, "utf8")));
    expect([r.alertsAdded.map((m) => m.merchantId), r.alertsRemoved.map((m) => m.merchantId)]).toEqual([[NEWLY_LISTED], [REVOKED_MERCHANT]]);
    expect(ok.stdout).toContain("B is A's rule set with other indicator sets");

    // the new version's entries, changed after it was signed
    const tampered = nextVersion(true);
    tampered.entries[0]!.confidence = 50;
    const bad = setsDir("tampered", tampered);
    const refused = cli("--indicators", SETS, "--candidate-indicators", bad, "--trust", TRUST);
    expect(refused.status, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(join(bad, SET_FILE));
    expect(refused.stdout).toBe("");
  });

  it("needs A's sets beside B's", { timeout: 60_000 }, () => {
    const r = cli("--candidate-indicators", SETS);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--candidate-indicators gives B's indicator sets, to compare with A's: give A's as --indicators DIR");
  });
});
