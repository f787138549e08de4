// A tuner in the demo saved a change on the Rules page and went to backtest it as the page says: `moneytrail rules
// export VERSION DIR` answered "DATABASE_URL is not set" (the demo's database is in memory, inside the demo), and the
// saved files were nowhere the tuner could name (a temporary copy of rules/). The demo's page now names that copy and
// the commands that backtest it against rules/ on the sample, under "Change a file" and in a save's notice; the copy
// is of the directory's files (DIR/.), so a my-rules/ left from an earlier try gets them rather than a DIR inside it.
// The same tuner read `rules validate` mark cross-border, fraud-reason-cluster and subscription-pattern as context
// rules (they do not add up among themselves); the page's table of the rules in force did not say so.
import { describe, expect, it } from "vitest";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("tuner-demo-copy");

const backtest =
  "npx moneytrail backtest --events fixtures/sample/events.ndjson --baseline rules/ --candidate my-rules/ --indicators fixtures/sample/indicators --trust fixtures/sample/trust.json --labels fixtures/sample/labels.json";

describe("the demo's Rules page", { timeout: 60_000 }, () => {
  it("names the directory it edits, to copy and backtest, since rules export has no database to read there", async () => {
    const { dir, app, headers } = await rulesPage();
    const page = (await app.inject({ method: "GET", url: "/rules", headers })).body;
    const change = page.slice(page.indexOf("<h2>Change a file</h2>"));
    expect(change).toContain(
      `In this demo, <code>rules export</code> has no database to read (the demo keeps its own in memory): this page edits a copy of <code>rules/</code>, <code>${dir}</code>, removed when the demo stops. To backtest what you save here, from the repository: <code>cp -r ${dir}/. my-rules/</code> (its files into my-rules/, made if missing: a copy of the directory itself into a my-rules/ already there would land in a directory inside it, which the loader does not read), then <code>${backtest}</code>.`,
    );
  });

  it("says in a save's notice where the saved files are and how to backtest them", async () => {
    const { dir, save } = await rulesPage();
    const saved = await save("chargebacks.yaml", (t) => t.replace("ratio: 0.01, minCount: 8", "ratio: 0.008, minCount: 6"), "earlier warning");
    expect(saved.statusCode, saved.body).toBe(200);
    const notice = /<p class="notice">([^]*?)<\/p>/.exec(saved.body)![1]!;
    expect(notice).toContain(`Rules changed: early-warning-disputes (params.levels[0].minCount 8 → 6, params.levels[0].ratio 0.01 → 0.008). To backtest it: <code>cp -r ${dir}/. my-rules/</code> (its files into my-rules/, made if missing: a copy of the directory itself into a my-rules/ already there would land in a directory inside it, which the loader does not read), then <code>${backtest}</code>.`);
  });

  it("says on a restore, as on a save, that nothing runs the set here", async () => {
    const { app, headers, ruleSet, save } = await rulesPage();
    const saved = await save("chargebacks.yaml", (t) => t.replace("ratio: 0.01, minCount: 8", "ratio: 0.008, minCount: 6"), "earlier warning");
    expect(saved.statusCode, saved.body).toBe(200);
    const restored = await app.inject({ method: "POST", url: "/rules/restore", headers, payload: { version: ruleSet.version, note: "back to the pack" } });
    expect(restored.statusCode, restored.body).toBe(200);
    const notice = /<p class="notice">([^]*?)<\/p>/.exec(restored.body)![1]!;
    expect(notice).toBe(
      `Restored version ${ruleSet.version}; no consumer runs with this page (the demo), so no alert or case changes here: backtest the change on recorded events to see what it would flag (moneytrail backtest, docs/backtest.md). Rules changed: early-warning-disputes (params.levels[0].minCount 6 → 8, params.levels[0].ratio 0.008 → 0.01).`,
    );
  });

  it("marks the context rules in the table of the rules in force, as rules validate does", async () => {
    const { app, headers } = await rulesPage();
    const page = (await app.inject({ method: "GET", url: "/rules", headers })).body;
    const row = (id: string) => new RegExp(`<tr data-rule="${id}">([^]*?)</tr>`).exec(page)![1]!;
    for (const id of ["cross-border", "fraud-reason-cluster", "subscription-pattern"]) expect(row(id), id).toContain("<td>live, context</td>");
    expect(row("early-warning-disputes")).toContain("<td>live</td>");
    expect(page).toContain(
      "A context rule (scoring.contextRules in ruleset.yaml) adds to other evidence, but context rules do not add up among themselves: a merchant with context signals alone scores as its strongest one alone.",
    );
  });
});
