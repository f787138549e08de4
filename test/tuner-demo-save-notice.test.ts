// A tuner trying the Rules page in the demo saved a change and was told "running consumers pick it up without a
// restart": the demo runs none, so nothing picked it up, and the sample's alerts and cases stayed as they were while
// the notice said the change was live. A page served without a consumer (the demo's: no rules status from a running
// consumer) now says that nothing runs the change here, and how to see what it would flag.
import { describe, expect, it } from "vitest";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("tuner-demo-notice");

describe("a save on a Rules page that no consumer runs with (the demo)", { timeout: 60_000 }, () => {
  it("does not say a consumer picks it up", async () => {
    // as the demo serves it: the rules directory, and no running consumer's rules status
    const { save } = await rulesPage();
    const saved = await save("sites.yaml", (t) => t.replace("weight: 45", "weight: 48"), "try weight 48");
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).not.toContain("running consumers pick it up");
    expect(saved.body).toContain(
      "no consumer runs with this page (the demo), so no alert or case changes here: backtest the change on recorded events to see what it would flag (moneytrail backtest, docs/backtest.md).",
    );
  });
});
