// Hidden files in a rules directory are not rule files: an editor's lock file or macOS's AppleDouble file beside a
// rule file must not have every change to the set refused (nor the rules page fail to read the directory).
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a rules directory with hidden files beside the rule files", () => {
  it("reads the same set as without them", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-hidden-"));
    dirs.push(dir);
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const version = loadRuleSet(dir).version;
    // Emacs's lock while a buffer of sites.yaml has unsaved changes: a symbolic link to user@host.pid, which is no file
    symlinkSync("tuner@rules-host.4242:1796500000", join(dir, ".#sites.yaml"));
    // macOS's AppleDouble file, written beside each file copied to a shared volume or put in a tar archive
    writeFileSync(join(dir, "._ruleset.yaml"), Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, 0x4d, 0x61, 0x63]));
    expect(loadRuleSet(dir).version).toBe(version);
  });
});
