// A change that left a rule set in force with no rule at all (every file emptied, every rule `enabled: false`) was
// valid and put in force: every merchant unflagged and no alert raised, with no error anywhere. Such a change is now
// refused, by the directory's watcher (a hand edit, a deploy) and by the page's save, and the set in force stays.
// A set that has no rule from the start (a replay, a test) is still allowed.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { RuleSetWatcher } from "../src/rules/reload.js";
import { fileVersion } from "../src/rules/history.js";
import { tunerWeb } from "./helpers/web.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const RULE_FILES = ["chargebacks.yaml", "descriptors.yaml", "identity.yaml", "sales.yaml", "sites.yaml"];
const NO_RULE = /no rule in force/;

const copy = defaultRulesCopies("rules-emptied");

describe("a change that leaves no rule in force", () => {
  it("is refused by the directory's watcher, and the set in force stays", () => {
    const dir = copy();
    const before = loadRuleSet(dir);
    const refusals: string[] = [];
    const w = new RuleSetWatcher({ dir, current: before, onChange: () => undefined, onRefused: (m) => refusals.push(m) });
    for (const f of RULE_FILES) writeFileSync(join(dir, f), "rules: []\n");
    expect(w.check().version).toBe(before.version);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(NO_RULE);
    expect(w.status.lastRefusal?.message).toMatch(NO_RULE);
    // every rule turned off is the same
    for (const f of RULE_FILES) writeFileSync(join(dir, f), readFileSync(join(DEFAULT_RULES, f), "utf8").replace(/^(\s+)kind:/gm, "$1enabled: false\n$1kind:"));
    expect(loadRuleSet(dir).rules).toHaveLength(0);
    expect(w.check().version).toBe(before.version);
    expect(refusals.at(-1)).toMatch(NO_RULE);
  });

  const web = tunerWeb("rules-emptied");
  it("is refused by the page's save (400), and the files and the set in force stay", async () => {
    const put = (file: string, payload = "rules: []\n") =>
      web.app().inject({ method: "PUT", url: `/api/rules/${file}?note=test`, headers: { ...web.headers(), "content-type": "text/plain", "if-match": `"${fileVersion(web.text(file))}"` }, payload });
    // the context rules' ids first, or emptying their files is refused as naming rules no file defines
    expect((await put("ruleset.yaml", web.text("ruleset.yaml").replace(/^ *contextRules:.*\n/m, ""))).statusCode).toBe(200);
    for (const f of RULE_FILES.slice(0, -1)) expect((await put(f)).statusCode).toBe(200);
    const last = RULE_FILES.at(-1)!;
    const kept = web.text(last);
    const res = await put(last);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(NO_RULE);
    expect(web.text(last)).toBe(kept);
    expect(loadRuleSet(web.dir).rules.length).toBeGreaterThan(0);
  });
});
