// `rules validate` lists the set it would put in force: a tuner adding a rule to try in shadow sees that it is shadow
// (and one whose mode was forgotten, that it is live and so would alert).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { wideEarlyWarning } from "./helpers/rules.js";
import { CLI } from "./helpers/cli.js";


describe("rules validate", () => {
  it("lists each rule with its mode", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-validate-mode-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    appendFileSync(join(dir, "chargebacks.yaml"), wideEarlyWarning("early-warning-wide", "shadow"));
    const r = spawnSync(process.execPath, [...CLI, "rules", "validate", dir], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}early-warning-wide +chargeback-ratio +shadow +weight {2}60 {2}excessive-disputes$/m);
    expect(r.stdout).toMatch(/^ {2}early-warning-disputes +chargeback-ratio +live +weight {2}40 {2}excessive-disputes$/m);
  });
});
