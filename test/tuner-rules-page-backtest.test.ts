// A tuner new to the product opened the Rules page to make a change: it said how a save is validated and that it
// goes live at once, but not that the change can be tried on recorded events first, nor how to get the set in
// force to copy and edit for that. The page now says so under "Change a file", naming the version in force.
import { describe, expect, it } from "vitest";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("tuner-page-backtest");

describe("the Rules page, before a change", { timeout: 60_000 }, () => {
  it("says how to backtest it first, with the command that writes the set in force to a directory", async () => {
    const { app, ruleSet: rs, headers } = await rulesPage();
    const page = (await app.inject({ method: "GET", url: "/rules", headers })).body;
    const change = page.slice(page.indexOf("<h2>Change a file</h2>"));
    expect(change).toContain(
      `Before saving, you can try a change on recorded events: <code>moneytrail rules export ${rs.version.slice(0, 19)} DIR</code> writes the set in force to a directory to copy and edit (or copy the files below), and <code>moneytrail backtest</code> runs both over the events (docs/backtest.md): which merchants gain or lose an alert, how much sooner or later the others are alerted, precision and recall against labels.`,
    );
  });
});
