// A directory of indicator sets (--indicators, MT_INDICATORS) holds one set per id: two versions of one set, or two
// publishers' sets under one id, are refused with both files named, instead of both matching.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIndicators } from "../src/indicators/index.js";
import { FORMAT, type IndicatorEntry } from "../src/indicators/schema.js";
import { whatToDo } from "../src/lib/errors.js";
import { refusalOf } from "./helpers/refusals.js";

const write = (dir: string, file: string, publisher: string, version: number, entry: Partial<IndicatorEntry>) =>
  writeFileSync(
    join(dir, file),
    JSON.stringify({
      format: FORMAT,
      id: "hotline-a-2026-11",
      publisher: { id: publisher },
      version,
      created: "2026-11-01T00:00:00Z",
      entries: [{ id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90, ...entry }],
    }),
  );

const refusal = (dir: string) => refusalOf(() => loadIndicators(dir));

describe("a directory of indicator sets", () => {
  it("refuses two versions of one set: the entry the newer revokes would still match from the older", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-ind-dir-"));
    write(dir, "hotline-a-v7.json", "member:hotline-a", 7, {});
    write(dir, "hotline-a-v8.json", "member:hotline-a", 8, { revoked: true });
    const err = refusal(dir);
    expect(err.message).toBe(
      `${join(dir, "hotline-a-v8.json")}: id: set hotline-a-2026-11 (version 8) is also in ${join(dir, "hotline-a-v7.json")} (version 7): give one version of a set, its latest; move the other file away`,
    );
    expect(whatToDo(err)).toBe("Leave one of the two files in the directory and run the command again; nothing was loaded.");
  });

  it("refuses two publishers' sets under one id", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-ind-dir-"));
    write(dir, "a.json", "member:hotline-a", 7, {});
    write(dir, "b.json", "member:bank-b", 1, { value: "flagged-b.example" });
    expect(refusal(dir).message).toMatch(/b\.json: id: set id hotline-a-2026-11 of member:bank-b is also the id of member:hotline-a's set in .*a\.json: a set id belongs to one publisher/);
  });

  it("loads sets with ids of their own", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-ind-dir-"));
    write(dir, "a.json", "member:hotline-a", 7, {});
    expect(loadIndicators(dir).matchUrl("https://shop.flagged-a.example/", Date.parse("2026-12-01T00:00:00Z")).map((r) => r.id)).toEqual(["a-1"]);
  });
});
