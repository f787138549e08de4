// `indicators export` of a signed set leaves its signature out when the export changes the content (TLP:RED entries
// left out, --hash), as it must: the signature no longer covers it. It said nothing, so a member could publish the
// export (refused without --unsigned) or hand it on, to be refused by every subscriber with a trust store. It now
// says on stderr that the export is unsigned and how to sign it before publishing.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, type IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet } from "../src/indicators/sign.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-export-unsigned-"));
const key = generateSigningKey();
const signed = (name: string, entries: IndicatorSet["entries"]) => {
  const file = join(dir, name);
  const set: IndicatorSet = { format: FORMAT, id: "hotline-a-2026-11", publisher: { id: "member:hotline-a" }, version: 8, created: "2026-11-01T00:00:00Z", entries };
  writeFileSync(file, JSON.stringify(signSet(set, "hotline-a-1", key.privateKeyPem)));
  return file;
};
const amber = { id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90, tlp: "amber" } as const;
const withRed = signed("with-red.json", [amber, { id: "a-2", kind: "domain", value: "internal-only.example", confidence: 90, tlp: "red" }]);
const amberOnly = signed("amber.json", [amber]);
const exportV1 = (file: string, ...flags: string[]) =>
  spawnSync(process.execPath, [...CLI, "indicators", "export", file, ...flags], { encoding: "utf8", timeout: 60_000 });

describe("indicators export of a signed set", () => {
  it("says the export is unsigned, and how to sign it, when it leaves TLP:RED entries out", { timeout: 60_000 }, () => {
    const out = join(dir, "shared.json");
    const r = exportV1(withRed, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).signature).toBeUndefined();
    expect(r.stderr).toContain(
      `note: the export is unsigned: its content changed (TLP:RED entries left out), so the signature of ${withRed} no longer covers it; sign it before publishing: moneytrail indicators sign ${out} --key-id hotline-a-1 --private-key KEY.pem --out ${join(dir, "shared.signed.json")}, then moneytrail indicators publish ${join(dir, "shared.signed.json")}\n`,
    );
  });

  it("names the signed copy after the export, never signed.json, which may be the full set exported (following the note replaced it)", { timeout: 60_000 }, () => {
    const full = signed("signed.json", [amber, { id: "a-2", kind: "domain", value: "internal-only.example", confidence: 90, tlp: "red" }]);
    const r = exportV1(full, "--out", join(dir, "export.json"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`--out ${join(dir, "export.signed.json")}, then moneytrail indicators publish ${join(dir, "export.signed.json")}\n`);
    expect(r.stderr).not.toContain(`--out signed.json`);
  });

  it("says so when --hash changes it", { timeout: 60_000 }, () => {
    const r = exportV1(amberOnly, "--hash");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("note: the export is unsigned: its content changed (1 domain value hashed)");
    expect(r.stderr).toContain("moneytrail indicators sign EXPORT.json --key-id hotline-a-1 --private-key KEY.pem --out EXPORT.signed.json");
  });

  it("says nothing of a signature when the export is the set as signed", { timeout: 60_000 }, () => {
    const r = exportV1(amberOnly);
    expect(r.status, r.stderr).toBe(0);
    // only that the AMBER domain travels in plain text (indicators-export-plain-domains)
    expect(r.stderr).toMatch(/^note: 1 domain entry in plain text at TLP:AMBER or AMBER\+STRICT \(a-1\)[^\n]*\n$/);
    expect(JSON.parse(r.stdout).signature.keyId).toBe("hotline-a-1");
  });
});
