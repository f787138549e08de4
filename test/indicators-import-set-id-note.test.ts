// A partner's tool makes a new bundle id for every STIX export, and an import without --set-id named the set after it:
// next week's bundle became another set beside this one, so in a directory of sets both were in force and the
// entries the new bundle dropped or revoked still matched from the old file, without a word. The import now says so,
// and what to give, when the set's id is the bundle's.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const BUNDLE = join(PACKAGE_ROOT, "fixtures", "stix", "partner-tool-bundle.json");
const importStix = (...flags: string[]) => {
  const out = join(mkdtempSync(join(tmpdir(), "mt-import-id-")), "partner.json");
  return spawnSync(process.execPath, [...CLI, "indicators", "import", BUNDLE, "--from", "stix", "--out", out, ...flags], { encoding: "utf8", timeout: 60_000 });
};

describe("a STIX import named after its bundle", () => {
  it("says that the next bundle would be another set, and to give --set-id and --set-version", { timeout: 60_000 }, () => {
    const r = importStix();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "note: the set's id, stix:bundle--8b02548b-bb84-458f-b33c-1e485fd08759, is the bundle's, which the sender's tool makes anew for each bundle: the next bundle imported so would be another set beside this one, and the entries it drops or revokes would still match from this one; give --set-id (the same for each import from this sender, e.g. --set-id partner-stix) and a --set-version higher at each import\n",
    );
  });

  it("says nothing of it with --set-id", { timeout: 60_000 }, () => {
    const r = importStix("--set-id", "partner-stix", "--set-version", "2");
    expect(r.status, r.stderr).toBe(0);
    // (its indicator expired on 2026-09-01 is noted as such: indicators-import-expired.test.ts)
    expect(r.stderr).not.toContain("note: the set's id");
  });
});
