// Trust stores as a coalition keeps them: key ids are chosen by each member, so two members may name their keys
// alike; a key is found by its id and the set's publisher, and the same key listed twice is refused.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { generateSigningKey, loadTrustStore, signSet, verifySet, type TrustStore } from "../src/indicators/sign.js";

const set = (publisher: string): IndicatorSet =>
  IndicatorSet.parse({
    format: FORMAT,
    id: `${publisher}-set`,
    publisher: { id: publisher },
    version: 1,
    created: "2026-03-01T00:00:00Z",
    entries: [{ id: "e-1", kind: "domain", value: "flagged-a.example", confidence: 80 }],
  });

describe("trust store keys", () => {
  const a = generateSigningKey();
  const b = generateSigningKey();
  // both members ran `indicators keygen --key-id 2026-1`
  const store: TrustStore = {
    keys: [
      { keyId: "2026-1", publisher: "member:hotline-a", publicKey: a.publicKeyPem },
      { keyId: "2026-1", publisher: "member:bank-b", publicKey: b.publicKeyPem },
    ],
  };

  it("verifies each member's set when two members gave their keys the same id", () => {
    expect(verifySet(signSet(set("member:hotline-a"), "2026-1", a.privateKeyPem), store)).toMatchObject({ ok: true, key: { publisher: "member:hotline-a" } });
    expect(verifySet(signSet(set("member:bank-b"), "2026-1", b.privateKeyPem), store)).toMatchObject({ ok: true, key: { publisher: "member:bank-b" } });
  });

  it("still refuses a set signed with one member's key that says it is from another", () => {
    const forged = signSet(set("member:bank-b"), "2026-1", a.privateKeyPem);
    expect(verifySet(forged, store)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match its content/) });
    const other: TrustStore = { keys: [store.keys[0]!] };
    expect(verifySet(forged, other)).toMatchObject({ ok: false, reason: "key 2026-1 belongs to member:hotline-a, but set member:bank-b-set says it is from member:bank-b: a member signs only its own sets; ask member:bank-b for the set signed with its own key" });
  });

  it("refuses a trust store that lists one publisher's key id twice, naming the place", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mt-trust-")), "trust.json");
    writeFileSync(file, JSON.stringify({ keys: [store.keys[0], store.keys[1], { ...store.keys[0], publicKey: b.publicKeyPem }] }));
    expect(() => loadTrustStore(file)).toThrow(`${file}: keys[2].keyId: key 2026-1 of member:hotline-a is also keys[0]: keep one entry per key (a new key gets a new keyId)`);
  });
});
