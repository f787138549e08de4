// `moneytrail run` with MT_TRUST_STORE=fixtures/sample/trust.json said nothing, though that store trusts the sample
// publisher's key, whose private key is in git: anyone can sign sets that run then takes as a member's. The sample's
// store stays accepted (README's way to get the sample's 14 alerts from run, and the tests that run on it), but run
// now warns at start, naming the file, why and what to set instead; a store of the member's own draws no warning.
import { describe, expect, it } from "vitest";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../../src/lib/paths.js";
import { createLogger } from "../../src/lib/log.js";
import { generateSigningKey } from "../../src/indicators/sign.js";
import { createTopics, freshNames, freshSchema, startRunner } from "./harness.js";

const SAMPLE_TRUST = join(SAMPLE_DIR, "trust.json");
const WARNING = /^MT_TRUST_STORE is the sample's trust store/;

/** What run logs at warn and above while starting with `trustStore` (and no indicator sets). */
async function warnings(trustStore: string): Promise<{ level: number; msg: string; file?: string }[]> {
  const n = freshNames("trust-sample");
  await createTopics(n, 1);
  const url = await freshSchema(n);
  const logged: { level: number; msg: string; file?: string }[] = [];
  const runner = await startRunner(n, url, { indicators: undefined, trustStore }, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
  await runner.stop();
  return logged;
}

describe("run with the sample's trust store", () => {
  it("warns at start, naming the file, why, and what to set instead", { timeout: 180_000 }, async () => {
    const said = (await warnings(SAMPLE_TRUST)).filter((l) => WARNING.test(l.msg));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 40, file: SAMPLE_TRUST });
    expect(said[0]!.msg).toBe(
      "MT_TRUST_STORE is the sample's trust store (fixtures/sample/trust.json), which trusts the sample publisher's key hotline-sample-2026, whose private key is public in this repository: anyone can sign indicator sets that this process takes as that publisher's. " +
        "Use it only to try the sample; otherwise set MT_TRUST_STORE to your coalition's trust store, the public keys of its publishers (each prints its entry with moneytrail indicators keygen or public-key)",
    );
  });

  it("warns when the store is reached through a link", { timeout: 180_000 }, async () => {
    const link = join(mkdtempSync(join(tmpdir(), "mt-trust-link-")), "trust.json");
    symlinkSync(SAMPLE_TRUST, link);
    const said = (await warnings(link)).filter((l) => WARNING.test(l.msg));
    expect(said).toMatchObject([{ level: 40, file: link }]);
  });

  it("does not warn with a trust store of the member's own", { timeout: 180_000 }, async () => {
    const own = join(mkdtempSync(join(tmpdir(), "mt-trust-own-")), "trust.json");
    writeFileSync(own, JSON.stringify({ keys: [{ keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: generateSigningKey().publicKeyPem }] }));
    expect((await warnings(own)).filter((l) => WARNING.test(l.msg))).toEqual([]);
  });
});
