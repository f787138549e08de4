// Hidden files in a directory of indicator sets are not sets: an editor's lock file or macOS's AppleDouble file beside
// a partner's set must not have the whole directory refused (run's start, replay, indicators verify), as rules
// directories already leave them out.
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIndicators } from "../src/indicators/index.js";
import { CLI } from "./helpers/cli.js";
import { hotlineSet } from "./helpers/events.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function partnerDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-ind-hidden-"));
  dirs.push(dir);
  const set = hotlineSet({ id: "hotline-a-2026-12", version: 3, created: "2026-12-01T00:00:00Z", entries: [{ id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90 }] });
  writeFileSync(join(dir, "hotline-a.json"), JSON.stringify(set));
  // Emacs's lock while hotline-a.json has unsaved changes: a symbolic link to user@host.pid, which is no file
  symlinkSync("analyst@member-host.4242:1796500000", join(dir, ".#hotline-a.json"));
  // macOS's AppleDouble file, written beside each file copied to a shared volume or put in a tar archive
  writeFileSync(join(dir, "._hotline-a.json"), Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, 0x4d, 0x61, 0x63]));
  return dir;
}

describe("a directory of indicator sets with hidden files beside the sets", () => {
  it("loads the sets as without them", () => {
    const index = loadIndicators(partnerDirectory());
    expect(index.sets.map((s) => s.id)).toEqual(["hotline-a-2026-12"]);
    expect(index.matchUrl("https://shop.flagged-a.example/", Date.parse("2026-12-06T00:00:00Z")).map((r) => r.id)).toEqual(["a-1"]);
  });

  it("indicators stats reads the sets and not the hidden files", () => {
    const dir = partnerDirectory();
    const r = spawnSync(process.execPath, [...CLI, "indicators", "stats", dir], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { file: string }[]).map((s) => s.file)).toEqual([join(dir, "hotline-a.json")]);
  });
});
