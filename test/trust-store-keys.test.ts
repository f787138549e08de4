// A trust store's publicKey is checked as the admin who edits it needs: a private key pasted there (the file goes to
// every subscriber and into backups) is refused, not quietly read as its public half; a value that is no key says
// what to paste, not OpenSSL's "DECODER routines::unsupported".
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSigningKey, loadTrustStore } from "../src/indicators/sign.js";

const storeWith = (publicKey: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "mt-trust-")), "trust.json");
  writeFileSync(file, JSON.stringify({ keys: [{ keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey }] }));
  return file;
};

describe("a trust store's public keys", () => {
  it("refuse a private key, naming the entry and what to give instead, without repeating it", () => {
    const { privateKeyPem } = generateSigningKey();
    const file = storeWith(privateKeyPem);
    expect(() => loadTrustStore(file)).toThrow(
      `${file}: keys[0].publicKey: this is a private key: it must never be in a trust store (whoever reads the file could sign as member:hotline-a); make a new key (moneytrail indicators keygen), give its printed public key, and treat key hotline-a-1 as compromised`,
    );
    expect(() => loadTrustStore(file)).not.toThrow(/PRIVATE KEY-----\n[A-Za-z0-9+/]/);
  });

  it("say what to paste when the value is no key", () => {
    const file = storeWith("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n");
    expect(() => loadTrustStore(file)).toThrow(
      `${file}: keys[0].publicKey: not an Ed25519 public key in PEM: give the publicKey that moneytrail indicators keygen printed (-----BEGIN PUBLIC KEY-----, its line breaks written \\n in JSON)`,
    );
  });

  it("take the public key keygen prints", () => {
    const { publicKeyPem } = generateSigningKey();
    expect(loadTrustStore(storeWith(publicKeyPem)).keys).toHaveLength(1);
  });
});
