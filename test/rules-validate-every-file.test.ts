// `rules validate` lists every refused file of a set in one run, each line with its file, line, path and reason: a
// user who broke several files fixes them in one pass, not one run per file. The set is still refused whole (exit 2).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { ConfigError } from "../src/lib/errors.js";
import { CLI } from "./helpers/cli.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";

/** A copy of the sample set with chargebacks.yaml's first weight made text and sites.yaml's first flow mapping left open. */
function twoBroken(): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-validate-every-"));
  cpSync(DEFAULT_RULES, dir, { recursive: true });
  const edit = (name: string, from: string, to: string) => {
    const text = readFileSync(join(dir, name), "utf8");
    expect(text).toContain(from);
    writeFileSync(join(dir, name), text.replace(from, to));
  };
  edit("chargebacks.yaml", "weight: 60", "weight: sixty");
  edit("sites.yaml", "typedShare: 0.55 }", "typedShare: 0.55");
  return dir;
}

describe("rules validate: every bad file in one run", () => {
  it("names both broken files, each with its line, path and reason, and exits 2", { timeout: 60_000 }, () => {
    const dir = twoBroken();
    const r = spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${join(dir, "chargebacks.yaml")}:7:\\d+: rules\\[0\\]\\.weight: "sixty" is text, not a number`));
    expect(r.stderr).toMatch(new RegExp(`${join(dir, "sites.yaml")}:8:\\d+: \\(YAML syntax\\): this \\{ is not closed`));
    // in the order the files are read, then what to do, once
    expect(r.stderr.indexOf("chargebacks.yaml")).toBeLessThan(r.stderr.indexOf("sites.yaml"));
    expect(r.stderr.match(/validate again/g)).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("refuses the set whole: the error from loading names both files", () => {
    const dir = twoBroken();
    let err: unknown;
    try {
      loadRuleSet(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const { message } = err as ConfigError;
    expect(message).toContain(`${join(dir, "chargebacks.yaml")}:7:`);
    expect(message).toContain(`${join(dir, "sites.yaml")}:8:`);
  });

  it("says a single bad file as before: the error is that file's", () => {
    const dir = twoBroken();
    writeFileSync(join(dir, "sites.yaml"), readFileSync(join(DEFAULT_RULES, "sites.yaml"), "utf8"));
    let err: unknown;
    try {
      loadRuleSet(dir);
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).file).toBe(join(dir, "chargebacks.yaml"));
    expect((err as ConfigError).message).toMatch(/^\S+chargebacks\.yaml:7:\d+: rules\[0\]\.weight: "sixty" is text, not a number[^\n]*$/);
  });
});

describe("the Rules page: a save refused with another file broken too", () => {
  const rulesPage = rulesPageOverCopy("rules-validate-every-file");
  it("names both files as the rules directory names them, not the trial copy's paths", { timeout: 60_000 }, async () => {
    const { dir, save } = await rulesPage();
    const descriptors = join(dir, "descriptors.yaml");
    writeFileSync(descriptors, readFileSync(descriptors, "utf8").replace("    weight: 30\n", "    weight: 30x\n"));
    const res = await save("sites.yaml", (t) => t.replace("    weight: 45\n    typology: transaction-laundering", "    weight: 45x\n    typology: transaction-laundering"), "EX-4");
    expect(res.statusCode).toBe(400);
    const error = /<p class="error" role="alert" id="rules-error">([^]*?)<\/p>/.exec(res.body)![1]!;
    expect(error).toMatch(/(^|\s)descriptors\.yaml:13:13: rules\[1\]\.weight: &quot;30x&quot; is text, not a number/);
    expect(error).toMatch(/(^|\s)sites\.yaml:\d+:\d+: rules\[\d+\]\.weight: &quot;45x&quot; is text, not a number/);
    expect(error).not.toContain("mt-rules-");
    // each line names its file: no word that the error is in one other file
    expect(error).not.toContain("The error is in");
  });
});
