// A member's list imported with a date typed wrong (2025 for 2027) made entries that had expired before the set
// existed: imported, exported, signed and published without a word (publish refuses a set only when every live entry
// has expired), and they never match. Import now names them (ids only, never a value), with the latest validUntil and
// what to do; entries revoked, or expired beside none, are no different.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndicatorSet } from "../src/indicators/schema.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-import-expired-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const importCsv = (name: string, rows: string[]) => {
  writeFileSync(join(dir, `${name}.csv`), ["kind,value,confidence,validUntil,revoked", ...rows].join("\n"));
  return cli("import", `${name}.csv`, "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", `${name}.json`);
};

describe("indicators import of entries already expired", () => {
  it("names them on stderr, by id, and writes the set as given", { timeout: 60_000 }, () => {
    const r = importCsv("typo", ["domain,flagged-shop.example,85,2099-06-01,", "domain,flagged-gallery.example,90,2025-06-01,", "url,https://listing-board.test/item/1003,80,2026-01-31,"]);
    expect(r.status, r.stderr).toBe(0);
    const set = IndicatorSet.parse(JSON.parse(readFileSync(join(dir, "typo.json"), "utf8")));
    const expired = set.entries.filter((e) => e.validUntil !== "2099-06-01T00:00:00Z").map((e) => e.id);
    expect(expired).toHaveLength(2);
    expect(r.stderr).toContain(`note: 2 entries had expired before this import (${expired.join(", ")}; the latest validUntil 2026-01-31T00:00:00Z): they will never match`);
    expect(r.stderr).toContain("if a date is wrong, correct it and import again");
    // the note names no value
    expect(r.stderr).not.toMatch(/flagged-gallery|listing-board/);
  });

  it("says nothing of entries still valid, or revoked", { timeout: 60_000 }, () => {
    const r = importCsv("fine", ["domain,flagged-shop.example,85,2099-06-01,", "domain,flagged-gallery.example,90,2025-06-01,true"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("expired");
  });
});
