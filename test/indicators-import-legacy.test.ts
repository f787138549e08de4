// `moneytrail indicators import --from legacy` makes the set under the --set-id and --set-version given: every
// earlier file reads as version 1, so a member converting a newer export of one needs the next version, or
// subscribers holding the last one pass it over. A file already in format v1 is refused: under another id or version
// its signature would no longer match.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { IndicatorSet } from "../src/indicators/schema.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-import-legacy-"));
const legacy = join(dir, "legacy.json");
writeFileSync(
  legacy,
  JSON.stringify({
    id: "hotline-a-legacy",
    source: "member:hotline-a",
    created: "2026-01-01T00:00:00Z",
    entries: [{ id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90 }],
  }),
);
const importLegacy = (file: string, ...flags: string[]) =>
  spawnSync(process.execPath, [...CLI, "indicators", "import", file, "--from", "legacy", ...flags], { encoding: "utf8", timeout: 60_000 });

describe("indicators import --from legacy", () => {
  it("makes the set under the id and version given, and under the file's own id, version 1, without them", { timeout: 60_000 }, () => {
    const given = importLegacy(legacy, "--set-id", "hotline-a-2026-12", "--set-version", "3");
    expect(given.stderr).toBe("");
    expect(given.status).toBe(0);
    const set = IndicatorSet.parse(JSON.parse(given.stdout));
    expect([set.id, set.version, set.publisher.id, set.entries.length]).toEqual(["hotline-a-2026-12", 3, "member:hotline-a", 1]);

    const plain = IndicatorSet.parse(JSON.parse(importLegacy(legacy).stdout));
    expect([plain.id, plain.version]).toEqual(["hotline-a-legacy", 1]);
  });

  it("refuses an empty --set-id, as it refuses a bad --set-version", { timeout: 60_000 }, () => {
    const r = importLegacy(legacy, "--set-id", "");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: option '--set-id <id>' argument '' is invalid. a set id is 1 to 128 characters\n");
  });

  it("refuses a file already in format v1, saying what to do, instead of writing it back unchanged", { timeout: 60_000 }, () => {
    const signed = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    const { id } = JSON.parse(readFileSync(signed, "utf8"));
    const r = importLegacy(signed, "--set-version", "2");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `error: ${signed} is already a format v1 set (${id} version 1): --from legacy converts the engine's earlier files (id, source, created, entries); use the set as it is, or change its version and sign it again\n`,
    );
  });
});
