// `indicators publish` says which plain domain entries at TLP:AMBER go out with the site's name in clear text and that
// a domain-sha256 hash matches the same; `indicators export` without --hash said nothing of them, though whoever
// receives the export reads the same names. Export (v1 and STIX) now says so, with the option that hashes them; a
// hashed export, and domains every member may read (GREEN, CLEAR) or that export leaves out (RED), draw no note.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IndicatorSet } from "../src/indicators/schema.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-export-domains-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setFile(name: string, entries: IndicatorSet["entries"]): string {
  const set: IndicatorSet = { format: "moneytrail-indicators/1", id: "bank-b-list", version: 1, publisher: { id: "member:bank-b" }, created: "2026-12-01T00:00:00Z", entries };
  writeFileSync(join(dir, name), JSON.stringify(set));
  return name;
}

const exportSet = (...args: string[]) => {
  const { MT_TRUST_STORE: _, ...env } = process.env;
  return spawnSync(process.execPath, [...CLI, "indicators", "export", ...args], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
};

const domain = (id: string, tlp: "clear" | "green" | "amber" | "amber+strict" | "red", extra: { revoked?: true } = {}) => ({
  id,
  kind: "domain" as const,
  value: `${id}-listed.example`,
  confidence: 80,
  tlp,
  ...extra,
});

describe("indicators export: plain domain entries at TLP:AMBER", () => {
  const amber = setFile("amber.json", [domain("a-1", "amber"), domain("a-2", "amber+strict"), domain("a-3", "amber", { revoked: true }), domain("g-1", "green"), domain("r-1", "red")]);

  it("are named, v1 or STIX, with what a hash keeps and the option that hashes them", { timeout: 60_000 }, () => {
    for (const format of ["v1", "stix"]) {
      const r = exportSet(amber, "--format", format, ...(format === "stix" ? ["--include-revoked"] : []));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("a-1-listed.example");
      expect(r.stderr).toContain(
        "note: 3 domain entries in plain text at TLP:AMBER or AMBER+STRICT (a-1, a-2, a-3): whoever receives this export reads the site's name. " +
          "A domain-sha256 hash matches the same site and its subdomains: give --hash to share them as hashes. " +
          "Keep a domain plain only for members to find hosts drawn like it (look-alikes, which a hash hides), and mark it TLP:GREEN if every member may read its name; exported as it is\n",
      );
      // the note names entries, never the sites
      expect(r.stderr).not.toContain("listed.example");
    }
  });

  it("that the STIX export leaves out (revoked, without --include-revoked) are not named", { timeout: 60_000 }, () => {
    const r = exportSet(amber, "--format", "stix");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("note: 2 domain entries in plain text at TLP:AMBER or AMBER+STRICT (a-1, a-2): whoever receives this export reads the site's name.");
  });

  it("one is named in the singular", { timeout: 60_000 }, () => {
    const r = exportSet(setFile("one.json", [domain("a-1", "amber")]));
    expect(r.stderr).toContain("note: 1 domain entry in plain text at TLP:AMBER or AMBER+STRICT (a-1): whoever receives this export reads the site's name. A domain-sha256 hash matches the same site and its subdomains: give --hash to share it as a hash.");
  });

  it("draw no note once hashed", { timeout: 60_000 }, () => {
    for (const format of ["v1", "stix"]) {
      const r = exportSet(amber, "--hash", "--format", format);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain("plain text");
      expect(r.stdout).not.toContain("listed.example");
    }
  });

  it("only: GREEN, CLEAR and RED domains draw no note", { timeout: 60_000 }, () => {
    const file = setFile("others.json", [domain("g-1", "green"), domain("c-1", "clear"), domain("r-1", "red")]);
    for (const format of ["v1", "stix"]) {
      const r = exportSet(file, "--format", format);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain("domain entr");
    }
  });
});
