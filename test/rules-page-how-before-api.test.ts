// Until 7 December 2026 a save through the API (PUT /api/rules/FILE) was recorded as how "page", like a save on the
// page (9040436 told them apart from then on): the Rules page's "In force" table still said "saved on this page" for
// every save before, some of which were a script's. The history rows cannot tell the two apart, nor can the trail for
// sure (a token may post the page's form, a session may call the API; rows before migration 25 say nothing), so no
// row is rewritten: the page says that such a period was saved one way or the other, and where to look.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileVersion } from "../src/rules/history.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("how-before-api");

describe("a save recorded before saves through the API were told apart", { timeout: 60_000 }, () => {
  it("is shown as saved on the page or through the API, with where to find which", async () => {
    const { dir, db, app, headers } = await rulesPage();
    const file = () => readFileSync(join(dir, "sites.yaml"), "utf8");
    const save = async (from: string, to: string, note: string) => {
      const text = file();
      const r = await app.inject({ method: "POST", url: "/rules/sites.yaml", headers, payload: { content: text.replace(from, to), base: fileVersion(text), note } });
      expect(r.statusCode, r.body).toBe(200);
    };
    const periods = async () => {
      const page = (await app.inject({ method: "GET", url: "/rules", headers })).body;
      const table = page.slice(page.indexOf('<table id="periods">'), page.indexOf("</table>", page.indexOf('<table id="periods">')));
      return { page, rows: [...table.matchAll(/<tr><td><code>.*?<\/td><td>.*?<\/td><td>.*?<\/td><td>(.*?)<\/td><td>(.*?)<\/td>/g)].map((m) => [m[1], m[2]]) };
    };

    await save("weight: 45", "weight: 48", "weight 48 for low-volume laundering");
    const now = await periods();
    expect(now.rows).toEqual([
      ["tuner", "saved on this page"],
      ["directory", "found in the rules directory"],
    ]);
    expect(now.page).not.toContain('id="page-or-api"');

    // as if those were recorded last month, by a release that recorded an API save as the page's
    await db.query("UPDATE mt_rule_in_force SET at = at - interval '30 days'");
    await save("weight: 48", "weight: 50", "weight 50: still too few");
    const later = await periods();
    expect(later.rows).toEqual([
      ["tuner", "saved on this page"],
      ["tuner", "saved on this page or through the API (recorded before 7 December 2026: see under the table)"],
      ["directory", "found in the rules directory"],
    ]);
    expect(later.page).toContain(
      '<p id="page-or-api" class="muted">Until 7 December 2026 a save through the API was recorded as saved on this page: a period marked so was saved one way or the other. The save\'s row in the audit trail (action rules-change, by the same user at the same time) says what it was made with, an API token or a signed-in session, where the trail recorded that (since migration 25); admins and auditors read it at /audit.</p>',
    );
  });
});
