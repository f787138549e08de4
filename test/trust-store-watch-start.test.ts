// A trust store changed right after `run` began to watch it was never taken: the watcher (fs.watchFile) took its
// first look at the file on libuv's thread pool, and when that pool was busy the change was already in the file by
// then, so nothing ever differed from what the watcher had first seen. CI at 246bc89 failed this way. The pool's
// four threads are kept busy here while the file changes, which made the old watcher miss it every time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pbkdf2 } from "node:crypto";
import { expect, it } from "vitest";
import { generateSigningKey, watchTrustStore, type TrustStore } from "../src/indicators/sign.js";

it("takes a change made before the watcher's first look at the file", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "mt-trust-watch-")), "trust.json");
  const store = (keyIds: string[]) =>
    writeFileSync(file, JSON.stringify({ keys: keyIds.map((keyId) => ({ keyId, publisher: `member:${keyId}`, publicKey: generateSigningKey().publicKeyPem })) }));
  store(["bank-a-1"]);
  const busy = Array.from({ length: 4 }, () => new Promise((done) => pbkdf2("x", "y", 300_000, 32, "sha512", done)));
  const taken = new Promise<TrustStore>((resolve, reject) => {
    const stop = watchTrustStore(file, { intervalMs: 20, onChange: (s) => (stop(), resolve(s)), onRefused: (err) => (stop(), reject(err)) });
  });
  store(["bank-a-1", "bank-b-1"]);
  await Promise.all(busy);
  const first = await Promise.race([taken, new Promise<null>((r) => setTimeout(() => r(null), 2_000))]);
  expect(first?.keys.map((k) => k.keyId) ?? "not taken within 2 s of the pool freeing").toEqual(["bank-a-1", "bank-b-1"]);
});
