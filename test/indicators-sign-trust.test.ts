// `indicators sign` signed with whatever key it was given, so a member could sign with the wrong private key for the
// --key-id, with a key revoked, or a set created outside the key's window (a rotation), and learn of it only when
// every subscriber refused the set. With --trust (or MT_TRUST_STORE) it now refuses to sign what subscribers holding
// that trust store would refuse, saying what to do (exit 2, nothing written).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, verifySet, type TrustedKey, type TrustStore } from "../src/indicators/sign.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-sign-trust-"));
const PUBLISHER = "member:hotline-a";
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const [current, other, compromised] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
const keys: TrustedKey[] = [
  { keyId: "a-2", publisher: PUBLISHER, publicKey: current.publicKeyPem, validFrom: "2026-06-01T00:00:00Z" },
  { keyId: "a-1", publisher: PUBLISHER, publicKey: compromised.publicKeyPem, revoked: { at: "2026-06-01T00:00:00Z", reason: "key compromised" } },
  // another member's key under the same id
  { keyId: "b-1", publisher: "member:bank-b", publicKey: other.publicKeyPem },
];
const store: TrustStore = { keys };
const trust = file("trust.json", JSON.stringify(store));
const pem = { current: file("a-2.pem", current.privateKeyPem), other: file("b-1.pem", other.privateKeyPem), compromised: file("a-1.pem", compromised.privateKeyPem) };
const set = (created: string) =>
  file(`set-${created.slice(0, 10)}.json`, JSON.stringify({ format: FORMAT, id: "hotline-a-2026-11", publisher: { id: PUBLISHER }, version: 9, created, entries: [{ id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90 }] }));
const inWindow = set("2026-11-01T00:00:00Z");
const beforeWindow = set("2026-05-01T00:00:00Z");

const sign = (setFile: string, keyId: string, key: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}) => {
  const out = join(dir, `signed-${Math.random().toString(36).slice(2)}.json`);
  const { MT_TRUST_STORE: _, ...rest } = process.env;
  const r = spawnSync(process.execPath, [...CLI, "indicators", "sign", setFile, "--key-id", keyId, "--private-key", key, "--out", out, ...flags], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...rest, ...env },
  });
  return { ...r, out };
};
const refused = (r: ReturnType<typeof sign>) => {
  expect(r.status, r.stderr).toBe(2);
  expect(existsSync(r.out)).toBe(false);
  return r.stderr;
};

describe("indicators sign with a trust store", () => {
  it("signs with the trust store's key for the id and publisher, inside its window: the set verifies", { timeout: 60_000 }, () => {
    const r = sign(inWindow, "a-2", pem.current, ["--trust", trust]);
    expect(r.status, r.stderr).toBe(0);
    expect(verifySet(IndicatorSet.parse(JSON.parse(readFileSync(r.out, "utf8"))), store)).toEqual(expect.objectContaining({ ok: true }));
  });

  it("refuses a private key that is not the store's key for that id and publisher (MT_TRUST_STORE)", { timeout: 60_000 }, () => {
    expect(refused(sign(inWindow, "a-2", pem.other, [], { MT_TRUST_STORE: trust }))).toContain(
      `${inWindow}: the private key is not key a-2 of ${PUBLISHER} in ${trust} (its public half differs), so subscribers would refuse the signature: give key a-2's private key file`,
    );
    expect(refused(sign(inWindow, "b-1", pem.other, ["--trust", trust]))).toContain(`${trust} has no key b-1 of ${PUBLISHER} (the set's publisher), so subscribers holding it would refuse the set`);
  });

  it("refuses a revoked key, and a set created outside the key's window", { timeout: 60_000 }, () => {
    expect(refused(sign(inWindow, "a-1", pem.compromised, ["--trust", trust]))).toContain(
      `key a-1 of ${PUBLISHER} was revoked at 2026-06-01T00:00:00Z (key compromised) in ${trust}, and subscribers refuse every set it signs: sign with ${PUBLISHER}'s new key`,
    );
    expect(refused(sign(beforeWindow, "a-2", pem.current, ["--trust", trust]))).toContain(
      `set hotline-a-2026-11 was created 2026-05-01T00:00:00Z, outside key a-2's window in ${trust} (sets created from 2026-06-01T00:00:00Z until no end), so subscribers would refuse it`,
    );
  });

  it("signs as before without a trust store", { timeout: 60_000 }, () => {
    expect(sign(beforeWindow, "a-2", pem.other).status).toBe(0);
  });
});
