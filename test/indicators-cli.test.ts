// Two coalition members, as they would work: member A makes a key, exports its set hashed and without TLP:RED,
// signs it; member B adds A's key to its trust store, verifies the set, and its engine flags a merchant of the
// sample with the indicator's provenance on the alert. A tampered copy is refused.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { SAMPLE_INDICATORS } from "../src/fixtures/generate.js";
import type { Alert } from "../src/decode/events.js";
import { CLI } from "./helpers/cli.js";

const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [...CLI, ...args], { cwd, encoding: "utf8" });

describe("two members share a signed, hashed set", () => {
  it("A exports and signs; B verifies, loads it and flags the merchant with A's provenance", { timeout: 120_000 }, () => {
    const a = mkdtempSync(join(tmpdir(), "member-a-"));
    const b = mkdtempSync(join(tmpdir(), "member-b-"));
    writeFileSync(
      join(a, "set.json"),
      JSON.stringify({
        format: "moneytrail-indicators/1",
        id: "hotline-a-2026-11",
        publisher: { id: "member:hotline-a", name: "Hotline A" },
        version: 7,
        created: "2026-02-01T00:00:00Z",
        entries: [
          { id: "a-1", kind: "domain", value: SAMPLE_INDICATORS.flaggedDomain, confidence: 95, tlp: "amber", description: `storefront at ${SAMPLE_INDICATORS.flaggedDomain}` },
          { id: "a-2", kind: "domain", value: "internal-only.example", confidence: 95, tlp: "red" },
        ],
      }),
    );
    const keygen = cli(["indicators", "keygen", "--key-id", "hotline-a-1", "--publisher", "member:hotline-a", "--private-key-out", "a.key"], a);
    expect(keygen.status, keygen.stderr).toBe(0);
    expect(cli(["indicators", "export", "set.json", "--hash", "--out", "shared.json"], a).status).toBe(0);
    expect(cli(["indicators", "sign", "shared.json", "--key-id", "hotline-a-1", "--private-key", "a.key", "--out", "signed.json"], a).status).toBe(0);
    const signed = readFileSync(join(a, "signed.json"), "utf8");
    expect(signed).not.toContain(SAMPLE_INDICATORS.flaggedDomain);
    expect(signed).not.toContain("internal-only");

    // B: the key arrives out of band; the set over any channel
    writeFileSync(join(b, "trust.json"), JSON.stringify({ keys: [JSON.parse(keygen.stdout)] }));
    mkdirSync(join(b, "sets"));
    writeFileSync(join(b, "sets", "hotline-a.json"), signed);
    const verify = cli(["indicators", "verify", "sets", "--trust", "trust.json"], b);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^ok .*hotline-a-2026-11 version 7 by member:hotline-a, signed with hotline-a-1/);
    const replay = cli(["replay", "--events", join(SAMPLE_DIR, "events.ndjson"), "--out", "alerts.ndjson", "--indicators", "sets", "--trust", "trust.json", "--no-progress"], b);
    expect(replay.status, replay.stderr).toBe(0);
    const alerts = readFileSync(join(b, "alerts.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Alert);
    const cited = alerts.flatMap((x) => x.signals.flatMap((s) => s.evidence.indicators ?? []));
    expect(cited).toContainEqual(expect.objectContaining({ set: "hotline-a-2026-11", id: "a-1", source: "member:hotline-a", confidence: 95, tlp: "amber" }));

    // a copy changed on the way is refused, and the run with it does not start
    writeFileSync(join(b, "sets", "hotline-a.json"), signed.replace('"confidence": 95', '"confidence": 96'));
    const refused = cli(["indicators", "verify", "sets", "--trust", "trust.json"], b);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toMatch(/REFUSED .*does not match its content/);
    const blocked = cli(["replay", "--events", join(SAMPLE_DIR, "events.ndjson"), "--out", "x.ndjson", "--indicators", "sets", "--trust", "trust.json"], b);
    expect(blocked.status).toBe(2);
    expect(blocked.stderr).toMatch(/hotline-a\.json: signature: .*does not match/);
    expect(execFileSync("ls", [b]).toString()).not.toContain("x.ndjson");
  });
});
