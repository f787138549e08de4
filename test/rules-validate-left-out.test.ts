// `rules validate` of a set that validates but left rules out: an emptied file (`> descriptors.yaml` for `>>`), and a rule
// turned off with enabled: false. Neither is in the set, and the list of rules in force does not show what is absent,
// so each is said. A weight under one point (0.4: a share where points go) validates, and is said too.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const copy = defaultRulesCopies("validate-left-out");

describe("rules validate of a set that leaves rules out", () => {
  it("names the files without rules and the disabled rules", { timeout: 60_000 }, () => {
    const dir = copy();
    // descriptors.yaml holds no context rule (scoring.contextRules), which would be refused naming a rule no file defines
    writeFileSync(join(dir, "descriptors.yaml"), "");
    writeFileSync(join(dir, "notes.yaml"), "# rules to try next month\nrules: []\n");
    const sites = readFileSync(join(dir, "sites.yaml"), "utf8");
    writeFileSync(join(dir, "sites.yaml"), sites.replace("typology: disguised-site", "typology: disguised-site\n    enabled: false"));
    const r = spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("note: no rules in descriptors.yaml, notes.yaml: an empty file is allowed, but any rules it should hold are not in this set\n");
    expect(r.stderr).toContain("note: disabled (enabled: false), so not in this set: cloaked-content\n");
    expect(r.stdout).not.toMatch(/cloaked-content|descriptor-churn/);
  });

  it("names a weight under one point, a share written where points go; the default pack has none", { timeout: 60_000 }, () => {
    const dir = copy();
    const validate = () => spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });
    expect(validate().stderr).not.toContain("under one point");
    const sites = readFileSync(join(dir, "sites.yaml"), "utf8");
    writeFileSync(join(dir, "sites.yaml"), sites.replace("weight: 45", "weight: 0.45"));
    const r = validate();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^note: .*sites\.yaml:\d+:\d+: rules\[\d+\]\.weight: 0\.45 is under one point: weights are points from 0 to 100, not a share \(for 45\.0%, write weight: 45\)$/m);
  });
});
