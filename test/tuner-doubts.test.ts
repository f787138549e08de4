// Values a rule set takes that are most likely a mistake (RuleSet.doubts: a chargeback ratio of 0.8 meant as 0.8%, a
// weight of 0.45 meant as 45 points) were noted by `rules validate` only, and the weight's note was a check of its
// own in the command beside the doubts. A tuner saving on the Rules page or backtesting a change never saw either.
// Now the weight is one of the doubts, and the page's save notice, the API's answer and the backtest report say them
// as `rules validate` does.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { doubtText, loadRuleSet } from "../src/rules/ruleset.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { BacktestResult } from "../src/app/backtest.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { sampleBacktest } from "./helpers/tuner.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";
import { CLI } from "./helpers/cli.js";
import { refusalOf } from "./helpers/refusals.js";

const copy = defaultRulesCopies("tuner-doubts");
const rulesPage = rulesPageOverCopy("tuner-doubts");

const SHARE_WEIGHT = { "sites.yaml": (t: string) => t.replace("weight: 45", "weight: 0.45") };
const RATIO_AS_PERCENT = { "chargebacks.yaml": (t: string) => t.replace("ratio: 0.01, minCount: 8 }", "ratio: 0.8, minCount: 8 }") };
const RATIO_NOTE = "rules[2].params.levels[0].ratio: 0.8 is 80.0% of the sales: a chargeback ratio is a share: 0.008 is 0.8%; a ratio above 0.1 (10%) is most likely a percentage written as a share";

/** line:col of the first `needle` in a file */
function at(file: string, needle: string): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const n = lines.findIndex((l) => l.includes(needle));
  return `${n + 1}:${lines[n]!.indexOf(needle) + 1}`;
}

describe("values most likely a mistake", () => {
  it("a weight under one point is one of the set's doubts, with its file, line and path, and rules validate notes it as one", { timeout: 60_000 }, () => {
    const dir = copy(SHARE_WEIGHT);
    const file = join(dir, "sites.yaml");
    const note = `${file}:${at(file, "0.45")}: rules[1].weight: 0.45 is under one point: weights are points from 0 to 100, not a share (for 45.0%, write weight: 45)`;
    expect(loadRuleSet(dir).doubts.map(doubtText)).toEqual([note]);
    const r = spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: ${note}\n`);
    // said once, not also by a check of its own
    expect(r.stderr.match(/under one point/g)).toHaveLength(1);
  });

  // scores are points too: severity bands of 0.6/0.75/0.9 validate, and every alert is critical; alertAt: 0.6 was
  // refused with zod's "Too small: expected number to be >=1"
  it("a severity band under one point is a doubt, and an alertAt written as a share is refused saying it is in points", () => {
    const bands = copy({ "ruleset.yaml": (t) => t.replace(/severity: \{ medium: (\d+), high: (\d+), critical: (\d+) \}/, (_, m, h, c) => `severity: { medium: 0.${m}, high: 0.${h}, critical: 0.${c} }`) });
    const file = join(bands, "ruleset.yaml");
    const text = readFileSync(file, "utf8");
    const [, m, h, c] = /severity: \{ medium: ([\d.]+), high: ([\d.]+), critical: ([\d.]+) \}/.exec(text)!;
    const note = (band: string, v: string) =>
      `${file}:${at(file, `${band}: ${v}`).replace(/:(\d+)$/, (_, col) => `:${Number(col) + band.length + 2}`)}: ruleset.scoring.severity.${band}: ${Number(v)} is under one point: a score's bands are points from 0 to 100, not a share (for ${(Number(v) * 100).toFixed(1)}%, write ${band}: ${Math.round(Number(v) * 100)})`;
    expect(loadRuleSet(bands).doubts.map(doubtText)).toEqual([note("medium", m!), note("high", h!), note("critical", c!)]);
    const alertAt = copy({ "ruleset.yaml": (t) => t.replace(/alertAt: (\d+)/, (_, n) => `alertAt: 0.${n}`) });
    const e = refusalOf(() => loadRuleSet(alertAt));
    const share = Number(/alertAt: ([\d.]+)/.exec(readFileSync(join(alertAt, "ruleset.yaml"), "utf8"))![1]);
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `ruleset.scoring.alertAt: ${share} is under one point: a score is in points from 1 to 100, not a share (for ${(share * 100).toFixed(1)}%, write alertAt: ${Math.round(share * 100)})`,
    ]);
  });

  it("the backtest report says each side's, on the terminal, in the HTML and in the JSON", async () => {
    const dir = copy(RATIO_AS_PERCENT);
    const r = BacktestResult.parse(await sampleBacktest(dir));
    const file = join(dir, "chargebacks.yaml");
    const note = `${file}:${at(file, "0.8,")}: ${RATIO_NOTE}`;
    expect(r.candidate.doubts).toEqual([note]);
    expect(r.baseline.doubts).toEqual([]);
    expect(backtestTables(r)).toContain(`\nNote on B, most likely a mistake: ${note}\n`);
    expect(backtestHtml(r)).toContain(`Note on B, most likely a mistake: ${note.replace(/'/g, "&#39;")}`);
    expect(backtestTables(r)).not.toContain("Note on A");
  });

  it("the Rules page's save notice and the API's answer say them, naming the file as the tuner knows it", { timeout: 60_000 }, async () => {
    const { dir, save, app, headers } = await rulesPage();
    const saved = await save("chargebacks.yaml", RATIO_AS_PERCENT["chargebacks.yaml"], "early warning at 0.8%");
    expect(saved.statusCode, saved.body).toBe(200);
    const note = `chargebacks.yaml:${at(join(dir, "chargebacks.yaml"), "0.8,")}: ${RATIO_NOTE}`;
    expect(saved.body).toContain(`Note, most likely a mistake (saved as written): ${note}.`);
    // the API's save answers with them too
    const current = readFileSync(join(dir, "sites.yaml"), "utf8");
    const { fileVersions } = (await app.inject({ method: "GET", url: "/api/rules", headers })).json() as { fileVersions: Record<string, string> };
    const put = await app.inject({
      method: "PUT",
      url: "/api/rules/sites.yaml",
      headers: { ...headers, "if-match": `"${fileVersions["sites.yaml"]}"` },
      payload: { content: SHARE_WEIGHT["sites.yaml"](current), note: "cloaked-content at 0.45" },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((put.json() as { doubts: string[] }).doubts).toEqual([
      `chargebacks.yaml:${at(join(dir, "chargebacks.yaml"), "0.8,")}: ${RATIO_NOTE}`,
      `sites.yaml:${at(join(dir, "sites.yaml"), "0.45")}: rules[1].weight: 0.45 is under one point: weights are points from 0 to 100, not a share (for 45.0%, write weight: 45)`,
    ]);
  });
});
