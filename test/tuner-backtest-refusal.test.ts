// A refused backtest ended "...; nothing was changed.", which means nothing for a command that changes nothing: its
// last line now says what to do and to run the backtest again. Commands that change things keep their wording.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { ConfigError, whatToDo } from "../src/lib/errors.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-backtest-refusal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "few.ndjson"), `${readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").slice(0, 20).join("\n")}\n`);
cpSync(DEFAULT_RULES, join(dir, "broken"), { recursive: true });
writeFileSync(join(dir, "broken", "sales.yaml"), "rules: [\n");

/** The last line of a refused backtest (exit 2). */
function todo(...args: string[]): string {
  const r = spawnSync(process.execPath, [...CLI, "backtest", "--events", "few.ndjson", "--no-progress", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^refused: /);
  return r.stderr.trimEnd().split("\n").at(-1)!;
}

describe("a refused backtest's last line", () => {
  it("a candidate file to fix: fix it and run the backtest again", { timeout: 60_000 }, () => {
    expect(todo("--baseline", DEFAULT_RULES, "--candidate", "broken")).toBe("Fix the file, then run the backtest again.");
  });

  it("a --sweep range the rule does not take: give another and run the backtest again", { timeout: 60_000 }, () => {
    expect(todo("--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--sweep", "early-warning-disputes.params.levels[0].ratio=0.5:1.5:0.5")).toBe(
      "The --sweep range is what is wrong, not the file: give one whose every value the rule takes, then run the backtest again.",
    );
  });

  it("each remedy keeps what to do; commands that change things keep 'nothing was changed'", () => {
    const inDir = new ConfigError(dir, [{ path: "", message: "no file has a `ruleset:` section" }]);
    expect(whatToDo(inDir, "the backtest")).toBe("Add or change files in the directory as said above, then run the backtest again.");
    expect(whatToDo(inDir)).toBe("Add or change files in the directory as said above, then run the command again; nothing was changed.");
    const signed = new ConfigError(join(dir, "set.json"), [{ path: "signature", message: "does not match" }]);
    expect(whatToDo(signed, "the backtest")).toBe("Ask the set's publisher for a correctly signed copy, or check that the trust store holds their current key, then run the backtest again.");
    expect(whatToDo(new ConfigError("x.json", [], "Give the trust store's file; nothing was changed."), "the backtest")).toBe("Give the trust store's file, then run the backtest again.");
  });
});
