// `indicators stats` said `signedWith: <key id>` for any set carrying a signature block: the key id is the set's own
// claim, so a tampered set, or one signed with a key nobody trusts, read as signed all the same. It now says the
// signature is not checked, or, with --trust, whether it verifies.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";

const SET = "fixtures/sample/indicators/coalition-sample.json";
const TRUST = "fixtures/sample/trust.json";

function stats(...args: string[]): { signature: unknown }[] {
  const r = spawnSync(process.execPath, [...CLI, "indicators", "stats", ...args], { encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { signature: unknown }[];
}

describe("indicators stats: a set's signature", () => {
  it("is said not checked without a trust store", () => {
    expect(stats(SET)[0]!.signature).toEqual({ keyId: "hotline-sample-2026", verified: null, note: expect.stringMatching(/not checked.*--trust FILE/) });
  });

  it("is said verified against the trust store, and not when the set was changed after signing", () => {
    expect(stats(SET, "--trust", TRUST)[0]!.signature).toEqual({ keyId: "hotline-sample-2026", verified: true });
    const dir = mkdtempSync(join(tmpdir(), "mt-stats-sig-"));
    const set = JSON.parse(readFileSync(SET, "utf8")) as { entries: { confidence: number }[] };
    set.entries[0]!.confidence = set.entries[0]!.confidence === 1 ? 0.5 : 1;
    writeFileSync(join(dir, "tampered.json"), JSON.stringify(set));
    expect(stats(join(dir, "tampered.json"), "--trust", TRUST)[0]!.signature).toEqual({ keyId: "hotline-sample-2026", verified: false, note: expect.any(String) });
  });

  it("is null for an unsigned set", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-stats-sig-"));
    const set = JSON.parse(readFileSync(SET, "utf8")) as { signature?: unknown };
    delete set.signature;
    writeFileSync(join(dir, "unsigned.json"), JSON.stringify(set));
    expect(stats(join(dir, "unsigned.json"))[0]!.signature).toBeNull();
  });
});
