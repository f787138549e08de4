// A tuner put a change live with the README's curl (PUT /api/rules/FILE with an API token); the Rules page's "In
// force" table then said it was "saved on this page", and GET /api/rules/periods gave how "page": an auditor asking
// how a change went live, or a tuner looking for the script that made it, was told the wrong thing. A save through
// the API is recorded as how "api" ("saved through the API" on the page); one on the page stays "page".
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileVersion, type RulePeriod } from "../src/rules/history.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("tuner-api-how");

describe("how a version was put in force", { timeout: 60_000 }, () => {
  it("a save through the API is recorded and shown as such, not as the page's", async () => {
    const { dir, app, headers } = await rulesPage();

    const original = readFileSync(join(dir, "sites.yaml"), "utf8");
    const saved = await app.inject({
      method: "PUT",
      url: "/api/rules/sites.yaml?note=weight%2048%20for%20low-volume%20laundering",
      headers: { ...headers, "content-type": "text/plain", "if-match": `"${fileVersion(original)}"` },
      payload: original.replace("weight: 45", "weight: 48"),
    });
    expect(saved.statusCode, saved.body).toBe(200);

    const periods = (await app.inject({ method: "GET", url: "/api/rules/periods", headers })).json<RulePeriod[]>();
    expect(periods.map((p) => [p.putBy, p.how])).toEqual([
      ["tuner", "api"],
      ["directory", "directory"],
    ]);
    const page = (await app.inject({ method: "GET", url: "/rules", headers })).body;
    const table = page.slice(page.indexOf('<table id="periods">'));
    expect(table).toContain("<td>tuner</td><td>saved through the API</td>");
    expect(table).not.toContain("saved on this page");
  });
});
