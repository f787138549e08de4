// An emptied rule file, or a rule taken out or renamed, leaves scoring.contextRules naming a rule no file defines:
// the set is refused with the file, the line and path of the id and the reason (with the id most likely meant), and
// on hot reload the set in force stays. The settings file given alone (a backtest's baseline) holds no rule at all
// and is taken.
import { describe, expect, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { RuleSetWatcher } from "../src/rules/reload.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { refusalOf } from "./helpers/refusals.js";

const copies = defaultRulesCopies("context-dangling");

describe("scoring.contextRules naming a rule no file defines", () => {
  it("is refused when the rule's file is emptied, at the id's line, naming the rule", () => {
    const dir = copies({ "sales.yaml": () => "" });
    const e = refusalOf(() => loadRuleSet(dir));
    expect(e.file).toBe(join(dir, "ruleset.yaml"));
    const line = readFileSync(join(dir, "ruleset.yaml"), "utf8").split("\n").findIndex((l) => l.includes("contextRules:")) + 1;
    expect(e.issues).toEqual([
      {
        path: "ruleset.scoring.contextRules[0]",
        message: 'names rule "cross-border", which no file defines: put the rule back, or take its id out of the list',
        line,
        col: expect.any(Number),
      },
      {
        path: "ruleset.scoring.contextRules[2]",
        message: 'names rule "subscription-pattern", which no file defines: put the rule back, or take its id out of the list',
        line,
        col: expect.any(Number),
      },
    ]);
  });

  it("is refused when a rule is taken out or renamed, with the id most likely meant", () => {
    const renamed = copies({ "sales.yaml": (t) => t.replace("id: cross-border", "id: cross-borders") });
    expect(refusalOf(() => loadRuleSet(renamed)).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'ruleset.scoring.contextRules[0]: names rule "cross-border", which no file defines (did you mean "cross-borders"?): correct the id, put the rule back, or take its id out of the list',
    ]);
    const removed = copies();
    rmSync(join(removed, "chargebacks.yaml"));
    expect(refusalOf(() => loadRuleSet(removed)).message).toMatch(/ruleset\.yaml:\d+:\d+: ruleset\.scoring\.contextRules\[1\]: names rule "fraud-reason-cluster", which no file defines/);
  });

  it("is taken for a rule turned off (a file defines it), and for the settings file alone", () => {
    const off = copies({ "sales.yaml": (t) => t.replace("id: cross-border\n", "id: cross-border\n    enabled: false\n") });
    expect(loadRuleSet(off).disabled).toContain("cross-border");
    expect(loadRuleSet(join(DEFAULT_RULES, "ruleset.yaml")).settings.scoring.contextRules).toHaveLength(3);
  });

  it("on hot reload: the change is refused with its reason and the set in force stays", () => {
    const dir = copies();
    const v1 = loadRuleSet(dir);
    const refusals: string[] = [];
    const w = new RuleSetWatcher({ dir, current: v1, onChange: () => expect.fail("a set naming a missing rule went in force"), onRefused: (m) => refusals.push(m) });
    writeFileSync(join(dir, "sales.yaml"), "");
    expect(w.check()).toBe(v1);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/ruleset\.yaml:\d+:\d+: ruleset\.scoring\.contextRules\[0\]: names rule "cross-border", which no file defines/);
    expect(w.status).toMatchObject({ version: v1.version, lastRefusal: { message: refusals[0] } });
  });
});
