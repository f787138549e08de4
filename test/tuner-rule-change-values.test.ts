// A backtest said of a rule a candidate changed only "changed" (JSON changedBy: ["own settings"]), and the Rules page's
// save and restore notices "Rules changed: early-warning-disputes": a report sent to a colleague, or read a week after,
// did not say whether the weight, a threshold or an allow-list had moved, nor from what to what. Both now say each
// value that changed: "params.levels[0].minCount 8 → 6", "weight 45 → 60", "params.allowReferrers +back-room.test".
import { describe, expect, it } from "vitest";
import { BacktestResult } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { ruleFieldChanges } from "../src/rules/rule-diff.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { LOWER_EARLY_WARNING, sampleBacktest } from "./helpers/tuner.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const copy = defaultRulesCopies("tuner-rule-change-values");
const rulesPage = rulesPageOverCopy("tuner-rule-change-values");

const WEIGHT_AND_ALLOWED = (t: string) =>
  t
    .replace("    weight: 45\n    typology: transaction-laundering", "    weight: 60\n    typology: transaction-laundering")
    .replace("allowReferrers: [search-engine.example, social-network.example]", "allowReferrers: [search-engine.example, social-network.example, back-room.test]");
const CLOAKED_OFF = (t: string) => t.replace("    kind: cloaked-content\n", "    kind: cloaked-content\n    enabled: false\n");

describe("what a changed rule changed", () => {
  it("a backtest names each value of a changed rule, A's and B's", async () => {
    const dir = copy({ ...LOWER_EARLY_WARNING, "sites.yaml": (t) => CLOAKED_OFF(WEIGHT_AND_ALLOWED(t)) });
    const r = BacktestResult.parse(await sampleBacktest(dir));
    const row = (id: string) => r.rules.find((x) => x.rule === id)!;
    expect(row("early-warning-disputes").changes).toEqual([
      { path: "params.levels[0].minCount", a: 8, b: 6, text: "params.levels[0].minCount 8 → 6" },
      { path: "params.levels[0].ratio", a: 0.01, b: 0.008, text: "params.levels[0].ratio 0.01 → 0.008" },
    ]);
    expect(row("undisclosed-referrers").changes).toEqual([
      {
        path: "params.allowReferrers",
        a: ["search-engine.example", "social-network.example"],
        b: ["search-engine.example", "social-network.example", "back-room.test"],
        text: "params.allowReferrers +back-room.test",
      },
      { path: "weight", a: 45, b: 60, text: "weight 45 → 60" },
    ]);
    expect(row("card-testing").changes).toEqual([]);
    const lines = ["Rules B changes (A → B):", "  cloaked-content: only in A (enabled: false in B)", "  early-warning-disputes: params.levels[0].minCount 8 → 6, params.levels[0].ratio 0.01 → 0.008", "  undisclosed-referrers: params.allowReferrers +back-room.test, weight 45 → 60"];
    expect(backtestTables(r)).toContain(lines.join("\n"));
    const page = backtestHtml(r);
    for (const l of lines.slice(1)) expect(page).toContain(l.trim());
  });

  it("says a list's values added and removed, a level added, and a list only reordered", () => {
    const a = loadRuleSet(DEFAULT_RULES);
    const b = loadRuleSet(
      copy({
        "chargebacks.yaml": (t) =>
          t
            .replace('reasonCodes: ["10.4", "10.5", "4837"', 'reasonCodes: ["10.5", "10.4", "4837"')
            .replace('        - { name: "ECP watch", ratio: 0.01, minCount: 100 }\n', '        - { name: "ECP watch", ratio: 0.01, minCount: 100 }\n        - { name: "ECP early", ratio: 0.008, minCount: 80 }\n'),
        "sites.yaml": (t) => t.replace("allowReferrers: [search-engine.example, social-network.example]", "allowReferrers: [search-engine.example, partner.example]"),
      }),
    );
    const text = (id: string) => ruleFieldChanges(a.byId.get(id)!, b.byId.get(id)!).map((c) => c.text);
    expect(text("undisclosed-referrers")).toEqual(["params.allowReferrers +partner.example −social-network.example"]);
    expect(text("mastercard-ecp")).toEqual(['params.levels[3] (none) → {"minCount":80,"name":"ECP early","ratio":0.008}']);
    expect(text("fraud-reason-cluster")).toEqual(["params.reasonCodes (the same values in another order)"]);
  });

  it("the Rules page's save and restore notices name the values", { timeout: 60_000 }, async () => {
    const { save, app, headers, ruleSet } = await rulesPage();
    const saved = await save("chargebacks.yaml", LOWER_EARLY_WARNING["chargebacks.yaml"], "early warning from 6 disputes, EX-1");
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).toContain("Rules changed: early-warning-disputes (params.levels[0].minCount 8 → 6, params.levels[0].ratio 0.01 → 0.008).");
    const restored = await app.inject({ method: "POST", url: "/rules/restore", headers, payload: { version: ruleSet.version, note: "back, EX-1" } });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.body).toContain("Rules changed: early-warning-disputes (params.levels[0].minCount 6 → 8, params.levels[0].ratio 0.008 → 0.01).");
  });
});
