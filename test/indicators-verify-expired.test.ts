// A member verifying a set received from a partner was told "ok" for a set whose every entry had expired, and loaded
// it: it then matched no live event, without a word (publish refuses such a set; verify said nothing). verify still
// passes it (its signature verifies, and a replay of older events matches it) and says, under its "ok" line, that it
// matches nothing from now on, with the latest validUntil and whom to ask for the current version.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, type IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, signSet } from "../src/indicators/sign.js";
import { CLI } from "./helpers/cli.js";

const key = generateSigningKey();
const PUBLISHER = "member:partner-e";
const set = (validUntil: string[]): IndicatorSet =>
  signSet(
    {
      format: FORMAT,
      id: "partner-e-2026-05",
      version: 4,
      publisher: { id: PUBLISHER },
      created: "2026-05-01T00:00:00Z",
      entries: [
        ...validUntil.map((until, i) => ({ id: `e-${i + 1}`, kind: "domain" as const, value: `flagged-${i + 1}.example`, confidence: 80, validUntil: until })),
        // a revoked entry is withdrawn on purpose: it neither keeps the set live nor counts as expired
        { id: "e-9", kind: "domain", value: "withdrawn.example", confidence: 80, revoked: true },
      ],
    },
    "partner-e-1",
    key.privateKeyPem,
  );

function verify(s: IndicatorSet) {
  const dir = mkdtempSync(join(tmpdir(), "mt-verify-expired-"));
  writeFileSync(join(dir, "trust.json"), JSON.stringify({ keys: [{ keyId: "partner-e-1", publisher: PUBLISHER, publicKey: key.publicKeyPem }] }));
  writeFileSync(join(dir, "set.json"), JSON.stringify(s));
  return { file: join(dir, "set.json"), ...spawnSync(process.execPath, [...CLI, "indicators", "verify", join(dir, "set.json"), "--trust", join(dir, "trust.json")], { encoding: "utf8", timeout: 60_000 }) };
}

describe("indicators verify: a set whose every entry has expired", () => {
  it("is ok, with a note that it matches nothing from now on", { timeout: 60_000 }, () => {
    const r = verify(set(["2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"]));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `ok       ${r.file}: partner-e-2026-05 version 4 by ${PUBLISHER}, signed with partner-e-1\n` +
        `         note: every entry not revoked has expired (2: e-1, e-2; the latest validUntil 2026-07-01T00:00:00Z): it matches events dated before then (a replay or backtest of older events), none from now on; ask ${PUBLISHER} for its current version\n`,
    );
  });

  it("with one entry still valid, is ok without a note", { timeout: 60_000 }, () => {
    const r = verify(set(["2026-06-01T00:00:00Z", "2999-01-01T00:00:00Z"]));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("note");
  });
});
