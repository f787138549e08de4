// The sample publisher's private key is in git (fixtures/sample/keys/), so anyone can sign sets with it. An operator
// who copied its entry from fixtures/sample/trust.json into a real trust store had `run`, `indicators verify`,
// `backtest --trust` and `replay --trust` take such sets as a member's. A store that trusts that key, under any id or
// publisher, is refused at load (and so at a change of MT_TRUST_STORE, the keys in force staying), naming the entry,
// why and what to do; only the sample's own fixtures/sample/trust.json, which the demo and tests use, may hold it.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SAMPLE_PUBLIC_KEY, generateSigningKey, loadTrustStore, publicKeyPem, verifySet, watchTrustStore, type TrustedKey } from "../src/indicators/sign.js";
import { readIndicatorSet } from "../src/indicators/index.js";
import { ConfigError } from "../src/lib/errors.js";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";
import { loadedOrRefused } from "./helpers/refusals.js";

const dir = mkdtempSync(join(tmpdir(), "mt-trust-sample-"));
const SAMPLE_TRUST = join(SAMPLE_DIR, "trust.json");
const sampleEntry = (JSON.parse(readFileSync(SAMPLE_TRUST, "utf8")) as { keys: TrustedKey[] }).keys[0]!;
const storeOf = (name: string, keys: TrustedKey[]): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ keys }, null, 2));
  return file;
};
const own = generateSigningKey();
const ownEntry: TrustedKey = { keyId: "bank-a-1", publisher: "member:bank-a", publicKey: own.publicKeyPem };
const refusal = (file: string, i: number, keyId: string, publisher: string) =>
  `${file}: keys[${i}].publicKey: key ${keyId} of ${publisher} is the sample publisher's key (hotline-sample-2026), whose private key is public in this repository (fixtures/sample/keys/hotline-sample-2026.key.pem): anyone can sign sets with it. Remove this entry from the trust store; only fixtures/sample/trust.json, for the demo and tests, may hold it`;

describe("a trust store that trusts the sample publisher's key", () => {
  it("is refused outside the sample, naming the entry: a set anyone can sign would verify", () => {
    const file = storeOf("copied.json", [ownEntry, sampleEntry]);
    const loaded = loadedOrRefused(() => loadTrustStore(file));
    // what the refusal stops: the sample set (or one anyone signs with the committed key) verifies against the store
    if (!(loaded instanceof ConfigError)) expect(verifySet(readIndicatorSet(join(SAMPLE_DIR, "indicators", "coalition-sample.json")), loaded)).toMatchObject({ ok: true });
    expect(loaded).toBeInstanceOf(ConfigError);
    expect((loaded as ConfigError).message).toBe(refusal(file, 1, "hotline-sample-2026", "member:hotline-sample"));
  });

  it("is refused under another key id or publisher: the key is known by its public key", () => {
    const file = storeOf("renamed.json", [{ ...sampleEntry, keyId: "bank-b-2026", publisher: "member:bank-b" }]);
    expect(loadedOrRefused(() => loadTrustStore(file))).toMatchObject({ message: refusal(file, 0, "bank-b-2026", "member:bank-b") });
  });

  it("is refused by indicators verify, with what to do, and nothing checked", { timeout: 60_000 }, () => {
    const file = storeOf("cli.json", [sampleEntry]);
    const r = spawnSync(process.execPath, [...CLI, "indicators", "verify", join(SAMPLE_DIR, "indicators"), "--trust", file], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${refusal(file, 0, "hotline-sample-2026", "member:hotline-sample")}\nFix the file and run the command again; nothing was changed.`);
  });

  it("is refused when a watched store (run's MT_TRUST_STORE) is changed to trust it; the keys in force stay", async () => {
    const file = storeOf("watched.json", [ownEntry]);
    const refused = new Promise<ConfigError>((resolve, reject) => {
      const stop = watchTrustStore(file, {
        intervalMs: 20,
        onChange: (store) => (stop(), reject(new Error(`taken: ${store.keys.map((k) => k.keyId).join(", ")}`))),
        onRefused: (err) => (stop(), resolve(err)),
      });
    });
    storeOf("watched.json", [ownEntry, sampleEntry]);
    expect((await refused).message).toBe(refusal(file, 1, "hotline-sample-2026", "member:hotline-sample"));
  });

  it("loads as the sample's own store (the demo's and the tests'), also through a link to it", () => {
    expect(loadTrustStore(SAMPLE_TRUST).keys.map((k) => k.keyId)).toEqual(["hotline-sample-2026"]);
    const link = join(dir, "link.json");
    symlinkSync(SAMPLE_TRUST, link);
    expect(loadTrustStore(link).keys.map((k) => k.keyId)).toEqual(["hotline-sample-2026"]);
  });

  it("is known by the public half of the committed private key", () => {
    expect(SAMPLE_PUBLIC_KEY).toBe(publicKeyPem(createPrivateKey(readFileSync(join(SAMPLE_DIR, "keys", "hotline-sample-2026.key.pem"), "utf8"))));
    expect(SAMPLE_PUBLIC_KEY).toBe(sampleEntry.publicKey);
    // a store of other keys loads as before
    expect(loadTrustStore(storeOf("own.json", [ownEntry])).keys).toEqual([ownEntry]);
  });
});
