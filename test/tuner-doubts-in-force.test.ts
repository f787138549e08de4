// The doubts of a rule set (values taken but most likely a mistake: a chargeback ratio of 0.8 meant as 0.8%) were
// said only in the answer to the save that made them: the Rules page's notice after it, the API's save answer. A
// tuner opening the page after a colleague's save, or reading GET /api/rules, never saw them. The page lists the set
// in force's doubts wherever it is opened, GET /api/rules answers with them, and a save's page says them once.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

const rulesPage = rulesPageOverCopy("tuner-doubts-in-force");

const RATIO_AS_PERCENT = (t: string) => t.replace("ratio: 0.01, minCount: 8 }", "ratio: 0.8, minCount: 8 }");
const RATIO_NOTE = "rules[2].params.levels[0].ratio: 0.8 is 80.0% of the sales: a chargeback ratio is a share: 0.008 is 0.8%; a ratio above 0.1 (10%) is most likely a percentage written as a share";

/** line:col of the first `needle` in a file */
function at(file: string, needle: string): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const n = lines.findIndex((l) => l.includes(needle));
  return `${n + 1}:${lines[n]!.indexOf(needle) + 1}`;
}

describe("the doubts of the set in force", () => {
  it("the Rules page opened after a colleague's save lists them, and GET /api/rules answers with them", { timeout: 60_000 }, async () => {
    const { dir, app, headers, save } = await rulesPage();
    const plain = async () => (await app.inject({ method: "GET", url: "/rules", headers })).body;
    const api = async () => ((await app.inject({ method: "GET", url: "/api/rules", headers })).json() as { doubts: string[] }).doubts;
    // the default pack: nothing to say
    expect(await plain()).not.toContain("most likely a mistake");
    expect(await api()).toEqual([]);

    const saved = await save("chargebacks.yaml", RATIO_AS_PERCENT, "early warning at 0.8%");
    expect(saved.statusCode, saved.body).toBe(200);
    const note = `chargebacks.yaml:${at(join(dir, "chargebacks.yaml"), "0.8,")}: ${RATIO_NOTE}`;
    // the save's page says it once, not in its notice and again in the list
    expect(saved.body.split(note)).toHaveLength(2);

    // the tuner opening the page afterwards
    const page = await plain();
    expect(page).toContain(`Note, most likely a mistake (in force as written): ${note}.`);
    expect(page.split(note)).toHaveLength(2);
    expect(await api()).toEqual([note]);
  });

  it("a hand edit put in force names its file as the tuner knows it, not the directory's path", { timeout: 60_000 }, async () => {
    const { dir, app, headers } = await rulesPage();
    const file = join(dir, "chargebacks.yaml");
    writeFileSync(file, RATIO_AS_PERCENT(readFileSync(file, "utf8")));
    const got = await app.inject({ method: "GET", url: "/api/rules", headers });
    expect(got.statusCode, got.body).toBe(200);
    expect((got.json() as { doubts: string[] }).doubts).toEqual([`chargebacks.yaml:${at(file, "0.8,")}: ${RATIO_NOTE}`]);
  });
});
