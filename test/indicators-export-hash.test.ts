// `indicators export --hash` of a set with no url or domain entries and no descriptions dropped the signature all the
// same (nothing was hashed, the content was the set as signed), and its note said "url and domain values hashed,
// descriptions dropped" whatever it had changed. The set now keeps its signature when nothing changed, and the note
// says what did.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, type IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet } from "../src/indicators/sign.js";
import { hashPlaintext } from "../src/indicators/privacy.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-export-hash-"));
const key = generateSigningKey();
const signedSet = (entries: IndicatorSet["entries"]): IndicatorSet =>
  signSet({ format: FORMAT, id: "hotline-a-2026-12", publisher: { id: "member:hotline-a" }, version: 3, created: "2026-12-01T00:00:00Z", entries }, "hotline-a-1", key.privateKeyPem);
const file = (name: string, entries: IndicatorSet["entries"]) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(signedSet(entries)));
  return f;
};
const keyword = { id: "k-1", kind: "keyword", value: "tokalpha", confidence: 80, tlp: "amber" } as const;
const exportHashed = (f: string) =>
  spawnSync(process.execPath, [...CLI, "indicators", "export", f, "--hash"], { encoding: "utf8", timeout: 60_000 });
const note = (changes: string) => `note: the export is unsigned: its content changed (${changes}), so the signature`;

describe("indicators export --hash", () => {
  it("keeps the signature of a set it has nothing to hash or drop in", { timeout: 60_000 }, () => {
    const set = signedSet([keyword]);
    expect(hashPlaintext(set)).toBe(set);
    const r = exportHashed(file("keywords.json", [keyword]));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(set);
  });

  it("says what it changed", { timeout: 60_000 }, () => {
    const described = { ...keyword, description: "seen on shop.example" };
    const r = exportHashed(file("described.json", [described]));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signature).toBeUndefined();
    expect(r.stderr).toContain(note("1 description dropped"));

    const urls = [
      { id: "u-1", kind: "url", value: "https://shop.example/a", confidence: 90, tlp: "amber" },
      { id: "u-2", kind: "url", value: "https://shop.example/b", confidence: 90, tlp: "amber", description: "storefront" },
    ] as const;
    const mixed = exportHashed(file("urls.json", [...urls, keyword]));
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(mixed.stderr).toContain(note("2 url values hashed, 1 description dropped"));
  });
});
