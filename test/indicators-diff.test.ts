// `moneytrail indicators diff` compares entries as they match: a URL written differently with the same canonical
// form, a time with or without milliseconds or in another offset, a hash in capitals, `revoked: false` against no
// `revoked`, are no change. Two files that are not versions of one set (another id or publisher) are said to be so.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { diffSets } from "../src/app/indicators.js";
import { CLI } from "./helpers/cli.js";

const HASH = "ab".repeat(32);
const set = (version: number, entries: object[], o: { id?: string; publisher?: string } = {}): IndicatorSet =>
  IndicatorSet.parse({ format: FORMAT, id: o.id ?? "hotline-a-2026-11", publisher: { id: o.publisher ?? "member:hotline-a" }, version, created: "2026-11-01T00:00:00Z", entries });
const before = set(7, [
  { id: "a-1", kind: "url", value: "https://flagged-a.example/album/17?b=2&a=1", confidence: 90, validFrom: "2026-11-01T00:00:00Z" },
  { id: "a-2", kind: "url-sha256", value: `sha256:${HASH}`, confidence: 80, validUntil: "2027-05-01T00:00:00.000Z", revoked: false },
  { id: "a-3", kind: "domain", value: "flagged-b.example", confidence: 70 },
]);
const after = set(8, [
  { id: "a-1", kind: "url", value: "http://WWW.flagged-a.example/album/17/?a=1&b=2&utm_source=x#top", confidence: 90, validFrom: "2026-11-01T01:00:00+01:00" },
  { id: "a-2", kind: "url-sha256", value: `sha256:${HASH.toUpperCase()}`, confidence: 80, validUntil: "2027-05-01T00:00:00Z" },
  { id: "a-3", kind: "domain", value: "flagged-c.example", confidence: 70, validUntil: "2027-05-01T00:00:00.001Z" },
]);

describe("indicators diff", () => {
  it("sees no change where the entries match alike, and a change where they match differently", () => {
    expect(diffSets(before, after)).toEqual({ added: [], removed: [], changed: [{ id: "a-3", fields: ["value", "validUntil"] }] });
    const revoked = set(9, [{ ...after.entries[1]!, revoked: true }]);
    expect(diffSets(before, revoked).changed).toEqual([{ id: "a-2", fields: ["revoked"] }]);
  });

  it("says when the two files are not versions of one set, and compares them all the same", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-diff-"));
    const files = { a: join(dir, "a.json"), b: join(dir, "b.json"), c: join(dir, "c.json") };
    writeFileSync(files.a, JSON.stringify(before));
    writeFileSync(files.b, JSON.stringify(after));
    writeFileSync(files.c, JSON.stringify(set(1, before.entries, { id: "bank-b-2026", publisher: "member:bank-b" })));
    const diff = (x: string, y: string) => spawnSync(process.execPath, [...CLI, "indicators", "diff", x, y], { encoding: "utf8", timeout: 60_000 });

    const same = diff(files.a, files.b);
    expect(same.status).toBe(0);
    expect(same.stderr).toBe("");
    expect(JSON.parse(same.stdout)).toMatchObject({ from: { id: "hotline-a-2026-11", publisher: "member:hotline-a", version: 7 }, to: { version: 8 } });

    const other = diff(files.a, files.c);
    expect(other.status).toBe(0);
    expect(other.stderr).toBe(
      `note: ${files.a} is set hotline-a-2026-11 of member:hotline-a, ${files.c} is set bank-b-2026 of member:bank-b: not two versions of one set; entries are compared by id all the same\n`,
    );
    expect(JSON.parse(other.stdout)).toEqual({
      from: { id: "hotline-a-2026-11", publisher: "member:hotline-a", version: 7 },
      to: { id: "bank-b-2026", publisher: "member:bank-b", version: 1 },
      added: [],
      removed: [],
      changed: [],
    });
  });
});
