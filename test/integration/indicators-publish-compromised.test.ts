// After a member's key is compromised and its holder put the member's set on the topic at the highest version there
// is, `indicators publish` of the member's next version (signed with its new key) is refused as a rollback when the
// topic's releases are not checked against a trust store: it said to publish as version 9007199254740992, which no
// set can be. It now says to give --trust with the trust store that revokes the key; with it, the compromised
// release is passed over, as subscribers pass it over, and the set is published.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishSet } from "../../src/indicators/distribution.js";
import { FORMAT, type IndicatorSet } from "../../src/indicators/schema.js";
import { generateSigningKey, signSet, type TrustedKey } from "../../src/indicators/sign.js";
import { freshNames, kafka } from "./harness.js";
import { CLI } from "../helpers/cli.js";

describe("indicators publish after a key compromise", () => {
  it("says to check the topic's releases with the trust store, and publishes with it", { timeout: 180_000 }, async () => {
    const topic = `${freshNames("publish-compromised").id}.indicator-sets`;
    const dir = mkdtempSync(join(tmpdir(), "mt-publish-compromised-"));
    const [old, fresh] = [generateSigningKey(), generateSigningKey()];
    const a1: TrustedKey = { keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: old.publicKeyPem, revoked: { at: "2026-12-01T00:00:00Z", reason: "key compromised" } };
    const a2: TrustedKey = { keyId: "hotline-a-2", publisher: "member:hotline-a", publicKey: fresh.publicKeyPem };
    const trust = join(dir, "trust.json");
    writeFileSync(trust, JSON.stringify({ keys: [a1, a2] }));
    const set = (version: number): IndicatorSet => ({
      format: FORMAT,
      id: "hotline-a-set",
      publisher: { id: "member:hotline-a" },
      version,
      created: "2026-12-02T00:00:00Z",
      entries: [{ id: "a-1", kind: "domain", value: "listed.example", confidence: 90 }],
    });
    await publishSet(kafka(), topic, signSet(set(Number.MAX_SAFE_INTEGER), a1.keyId, old.privateKeyPem));
    const next = join(dir, "v3.json");
    writeFileSync(next, JSON.stringify(signSet(set(3), a2.keyId, fresh.privateKeyPem)));
    // KAFKA_BROKERS from the global setup
    const publish = (...flags: string[]) => {
      const { MT_TRUST_STORE: _, ...env } = process.env;
      return spawnSync(process.execPath, [...CLI, "indicators", "publish", next, "--topic", topic, ...flags], { encoding: "utf8", timeout: 90_000, env });
    };

    const unchecked = publish();
    expect(unchecked.status).toBe(2);
    expect(unchecked.stderr).toContain(
      `holds version ${Number.MAX_SAFE_INTEGER} of set hotline-a-set (the topic's releases were not checked: if version ${Number.MAX_SAFE_INTEGER} was signed with a key since revoked, give --trust with the trust store that revokes it, as subscribers hold it): subscribers refuse version 3 as a rollback`,
    );
    const checked = publish("--trust", trust);
    expect(checked.stderr).toBe("");
    expect(checked.status).toBe(0);
    expect(checked.stdout).toBe(`published hotline-a-set version 3 (1 entries) to ${topic}\n`);
  });
});
