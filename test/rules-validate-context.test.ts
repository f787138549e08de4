// `rules validate` shows which rules are context rules (scoring.contextRules): a tuner reading the listing sees which
// signals do not add up among themselves, and an id in the list of a rule turned off; an id no file defines (a rule
// renamed or taken out) is refused, at its line.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const validate = (dir: string) => spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });

describe("rules validate: context rules", () => {
  it("marks each context rule and says what context means", { timeout: 60_000 }, () => {
    const r = validate(DEFAULT_RULES);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}cross-border +cross-border +live +weight {2}15 {2}cross-border {2}context$/m);
    expect(r.stdout).toMatch(/^ {2}subscription-pattern +\S+ +live +weight +\d+ {2}\S+ {2}context$/m);
    expect(r.stdout).toMatch(/^ {2}fraud-reason-cluster +\S+ +live +weight +\d+ {2}\S+ {2}context$/m);
    // a primary rule carries no mark
    expect(r.stdout).toMatch(/^ {2}early-warning-disputes +chargeback-ratio +live +weight {2}40 {2}excessive-disputes$/m);
    expect(r.stdout).toContain(
      "context rules (scoring.contextRules): cross-border, fraud-reason-cluster, subscription-pattern; each adds to other evidence, but they do not add up among themselves: a merchant with context signals alone scores as its strongest one alone",
    );
    expect(r.stderr).not.toContain("contextRules");
  });

  it("names an id of the list whose rule is turned off, refuses one no file defines, and shows no context line without the setting", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-validate-context-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const settings = join(dir, "ruleset.yaml");
    const text = readFileSync(settings, "utf8");
    const sales = readFileSync(join(dir, "sales.yaml"), "utf8");
    writeFileSync(join(dir, "sales.yaml"), sales.replace("id: cross-border\n", "id: cross-border\n    enabled: false\n"));
    const off = validate(dir);
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^context rules \(scoring\.contextRules\): fraud-reason-cluster, subscription-pattern; .*; also named, turned off \(enabled: false\): cross-border$/m);
    writeFileSync(join(dir, "sales.yaml"), sales);

    // far from every id of the set, so no id is offered in its place
    writeFileSync(settings, text.replace("contextRules: [cross-border,", "contextRules: [retired-volume-rule, cross-border,"));
    const named = validate(dir);
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(
      /ruleset\.yaml:\d+:\d+: ruleset\.scoring\.contextRules\[0\]: names rule "retired-volume-rule", which no file defines: put the rule back, or take its id out of the list\n/,
    );

    writeFileSync(settings, text.replace(/^ *contextRules:.*\n/m, ""));
    const none = validate(dir);
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout).not.toMatch(/ context$|^context rules/m);
  });
});
