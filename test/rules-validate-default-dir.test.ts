// `moneytrail rules validate` without a directory checked the rules bundled with moneytrail, wherever `run` read its
// rules from: on a host (or in a container) whose MT_RULES names the service's directory, a tuner checking a
// colleague's hand edit there was told the set was valid while the directory `run` watches refused it. It now checks
// MT_RULES when that is set, as `run` reads it, and says which directory it checked.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const validate = (env: Record<string, string | undefined>, ...args: string[]) => {
  const { MT_RULES: _, ...rest } = process.env;
  return spawnSync(process.execPath, [...CLI, "rules", "validate", ...args], { encoding: "utf8", timeout: 60_000, env: { ...rest, ...env } });
};

describe("rules validate without a directory", () => {
  it("checks MT_RULES, the directory run reads, when it is set", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-validate-default-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const file = join(dir, "chargebacks.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("minCount: 8 }", "minCount: 8"));

    const r = validate({ MT_RULES: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`refused: ${file}:`);

    // a directory given is checked whatever MT_RULES says
    const given = validate({ MT_RULES: dir }, DEFAULT_RULES);
    expect(given.status, given.stderr).toBe(0);
    expect(given.stdout).toContain(`${DEFAULT_RULES}: valid rule set`);

    // without MT_RULES, the bundled rules, as run reads them then
    const bundled = validate({});
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.stdout).toContain(`${DEFAULT_RULES}: valid rule set`);
  });
});
