// `moneytrail indicators export --format stix`: a withdrawn entry reaches partners' STIX tools only as an indicator
// with revoked: true (a bundle that leaves it out withdraws nothing), which --include-revoked sends.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";
import { hotlineSet } from "./helpers/events.js";

const dir = mkdtempSync(join(tmpdir(), "mt-export-"));
const file = join(dir, "set.json");
writeFileSync(
  file,
  JSON.stringify(
    hotlineSet({
      id: "hotline-a-2026-11",
      version: 8,
      created: "2026-11-01T00:00:00Z",
      entries: [
        { id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90, tlp: "amber" },
        { id: "a-2", kind: "domain", value: "legitimate-shop.example", confidence: 90, tlp: "amber", revoked: true },
      ],
    }),
  ),
);
const exportStix = (...flags: string[]) =>
  spawnSync(process.execPath, [...CLI, "indicators", "export", file, "--format", "stix", ...flags], { encoding: "utf8", timeout: 60_000 });
const indicators = (stdout: string) =>
  (JSON.parse(stdout) as { objects: { type: string; x_moneytrail_entry_id?: string; revoked?: boolean }[] }).objects
    .filter((o) => o.type === "indicator")
    .map((o) => [o.x_moneytrail_entry_id, o.revoked ?? false]);

describe("indicators export --format stix", () => {
  it("sends a revoked entry with revoked: true when asked", { timeout: 60_000 }, () => {
    const r = exportStix("--include-revoked");
    // the AMBER domains' plain names are said (indicators-export-plain-domains), the revoked one among them
    expect(r.stderr).toMatch(/^note: 2 domain entries in plain text at TLP:AMBER or AMBER\+STRICT \(a-1, a-2\)[^\n]*\n$/);
    expect(r.status).toBe(0);
    expect(indicators(r.stdout)).toEqual([
      ["a-1", false],
      ["a-2", true],
    ]);
  });

  it("by default leaves it out, saying how to send it", { timeout: 60_000 }, () => {
    const r = exportStix();
    expect(r.status).toBe(0);
    expect(indicators(r.stdout)).toEqual([["a-1", false]]);
    expect(r.stderr).toMatch(
      /^not exported: a-2: revoked: a tool that imported it keeps it until its valid_until; --include-revoked \(includeRevoked\) sends it with revoked: true\nnote: 1 domain entry in plain text at TLP:AMBER or AMBER\+STRICT \(a-1\)[^\n]*\n$/,
    );
  });
});
