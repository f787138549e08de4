// backtest names the indicator sets each side ran with as "id version N (E entries, publisher)", E counting revoked
// entries too: a new version that revokes three entries and adds three read as the same size, and the member could
// not tell from the summary that B ran with fewer entries in force. The revoked ones are counted beside
// ("17 entries, 1 revoked"), in the JSON (indicators.a/b[].revoked), the tables and the page.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestResult, backtest } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { readIndicatorSets } from "../src/indicators/index.js";
import type { IndicatorSet } from "../src/indicators/schema.js";
import type { Line } from "../src/source/ndjson.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const SETS = join(SAMPLE_DIR, "indicators");
const SET_FILE = "coalition-sample.json";
const dir = mkdtempSync(join(tmpdir(), "mt-backtest-revoked-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** the sample set's next version: ind-6 revoked, one entry added (17 entries, 1 revoked); unsigned */
function nextVersion(): IndicatorSet {
  const set = JSON.parse(readFileSync(join(SETS, SET_FILE), "utf8")) as IndicatorSet;
  const entries = set.entries.map((e) => (e.id === "ind-6" ? { ...e, revoked: true } : e));
  entries.push({ id: "ind-17", kind: "keyword", value: "tokalpha", confidence: 60, tlp: "amber" });
  return { ...set, version: set.version + 1, entries, signature: undefined };
}

function candidateDir(): string {
  const d = join(dir, "candidate-sets");
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, SET_FILE), JSON.stringify(nextVersion(), null, 2));
  return d;
}

async function* nothing(): AsyncGenerator<Line[]> {}

const A_LINE = "Indicator sets in A: coalition-sample-2026-03 version 1 (16 entries, 0 revoked, member:hotline-sample)";
const B_LINE = "Indicator sets in B: coalition-sample-2026-03 version 2 (17 entries, 1 revoked, member:hotline-sample)";

describe("backtest: the sets each side ran with, and their revoked entries", () => {
  it("counts the revoked entries of the sets given, in the JSON, the tables and the page", async () => {
    const rs = { name: "rules/", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const r = BacktestResult.parse(
      await backtest({ events: { name: "none", batches: nothing() }, baseline: rs, candidate: rs, indicators: readIndicatorSets(SETS), candidateIndicators: [nextVersion()] }),
    );
    const ref = { id: "coalition-sample-2026-03", publisher: "member:hotline-sample" };
    expect(r.indicators).toEqual({ a: [{ ...ref, version: 1, entries: 16, revoked: 0 }], b: [{ ...ref, version: 2, entries: 17, revoked: 1 }], differ: true });
    const tables = backtestTables(r);
    expect(tables).toContain(`\n${A_LINE}\n${B_LINE}\n`);
    expect(backtestHtml(r)).toContain(`${A_LINE}<br>\n${B_LINE}<br>`);
  });

  it("moneytrail backtest --candidate-indicators says it", { timeout: 120_000 }, () => {
    const r = spawnSync(
      process.execPath,
      [...CLI, "backtest", "--events", join(SAMPLE_DIR, "events.ndjson"), "--to", "1", "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--indicators", SETS, "--candidate-indicators", candidateDir(), "--no-progress"],
      { cwd: dir, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`\n${A_LINE}\n${B_LINE}\n`);
  });
});
