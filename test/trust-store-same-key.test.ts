// One public key in two entries of a trust store: revoking the compromised key's entry left the key trusted under the
// other, so sets its thief signed with that entry's keyId still verified; and a key listed for two publishers lets
// whoever holds it sign as either. Refused at load (and so at a change of MT_TRUST_STORE), naming both entries.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSigningKey, loadTrustStore, signSet, verifySet, type TrustedKey } from "../src/indicators/sign.js";
import { ConfigError } from "../src/lib/errors.js";
import { hotlineSet } from "./helpers/events.js";
import { loadedOrRefused } from "./helpers/refusals.js";

const storeOf = (keys: TrustedKey[]): string => {
  const file = join(mkdtempSync(join(tmpdir(), "mt-trust-same-")), "trust.json");
  writeFileSync(file, JSON.stringify({ keys }, null, 2));
  return file;
};

const set = hotlineSet({ id: "hotline-a-2026-12", version: 9, created: "2026-12-06T00:00:00Z", entries: [{ id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90 }] });

/** The store's refusal, or the store when it loads. */
const load = (file: string) => loadedOrRefused(() => loadTrustStore(file));

describe("a trust store with one public key in two entries", () => {
  it("is refused when the key's other entry is revoked: the revocation would not stop the thief", () => {
    const leaked = generateSigningKey();
    const file = storeOf([
      { keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: leaked.publicKeyPem, revoked: { at: "2026-12-05T00:00:00Z", reason: "key compromised" } },
      { keyId: "hotline-a-2", publisher: "member:hotline-a", publicKey: leaked.publicKeyPem },
    ]);
    const loaded = load(file);
    // what the refusal stops: the leaked key signs under the entry left standing, and the set verifies
    if (!(loaded instanceof ConfigError)) expect(verifySet(signSet(set, "hotline-a-2", leaked.privateKeyPem), loaded)).toMatchObject({ ok: true });
    expect(loaded).toBeInstanceOf(ConfigError);
    expect((loaded as ConfigError).message).toBe(
      `${file}: keys[1].publicKey: the same public key as keys[0] (key hotline-a-1 of member:hotline-a): one key is one entry, or revoking or retiring one entry leaves the key trusted under the other; give key hotline-a-2 the public key keygen printed for it (a new key is a new key pair: moneytrail indicators keygen)`,
    );
  });

  it("is refused when the entries are two publishers': whoever holds the key could sign as either", () => {
    const shared = generateSigningKey();
    const file = storeOf([
      { keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: shared.publicKeyPem },
      { keyId: "bank-b-1", publisher: "member:bank-b", publicKey: shared.publicKeyPem },
    ]);
    expect((load(file) as Error).message).toMatch(/keys\[1\]\.publicKey: the same public key as keys\[0\] \(key hotline-a-1 of member:hotline-a\)/);
  });

  it("takes keys of their own", () => {
    const file = storeOf([
      { keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: generateSigningKey().publicKeyPem, validUntil: "2026-12-01T00:00:00Z" },
      { keyId: "hotline-a-2", publisher: "member:hotline-a", publicKey: generateSigningKey().publicKeyPem, validFrom: "2026-12-01T00:00:00Z" },
    ]);
    expect(load(file)).not.toBeInstanceOf(ConfigError);
  });
});
