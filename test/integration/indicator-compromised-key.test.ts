// A member's key is compromised and its holder publishes the member's set as the highest version there is
// (9007199254740991). Before, mt_indicator_versions remembered that version whatever signed it, so once the key was
// revoked the member could never publish the set again: every version it signed with its new key was refused as a
// rollback, in the running process and in every process started later (the workaround: delete the row by hand).
// The floor now counts only versions signed by a key the trust store does not revoke (each remembered with its key).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { publishSet } from "../../src/indicators/distribution.js";
import { FORMAT, type IndicatorSet } from "../../src/indicators/schema.js";
import { generateSigningKey, signSet, type TrustedKey } from "../../src/indicators/sign.js";
import type { Runner } from "../../src/app/run.js";
import { createTopics, freshNames, freshSchema, indicatorRefusals as refusals, kafka, startRunner, until } from "./harness.js";


describe("a set published by a compromised key at the highest version", () => {
  it("no longer blocks the member's set once the key is revoked, live and after a restart", { timeout: 180_000 }, async () => {
    const n = freshNames("ind-compromised");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const topic = `${n.id}.indicator-sets`;
    const old = generateSigningKey();
    const fresh = generateSigningKey();
    const a1: TrustedKey = { keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: old.publicKeyPem };
    const a2: TrustedKey = { keyId: "hotline-a-2", publisher: "member:hotline-a", publicKey: fresh.publicKeyPem };
    const set = (version: number): IndicatorSet => ({
      format: FORMAT,
      id: "hotline-a-set",
      publisher: { id: "member:hotline-a" },
      version,
      created: "2026-11-01T00:00:00Z",
      entries: [{ id: "a-1", kind: "domain", value: `listed-${version}.example`, confidence: 90 }],
    });
    const trust = join(mkdtempSync(join(tmpdir(), "mt-trust-")), "trust.json");
    const write = (keys: TrustedKey[]) => writeFileSync(trust, JSON.stringify({ keys }));
    write([a1]);
    const over = { indicators: undefined, indicatorTopic: topic, trustStore: trust };
    const versions = (runner: Runner) => runner.indicatorSets.map((s) => s.version);

    const first = await startRunner(n, url, over);
    try {
      await publishSet(kafka(), topic, signSet(set(Number.MAX_SAFE_INTEGER), a1.keyId, old.privateKeyPem));
      await until("the compromised key's version in force", () => versions(first).includes(Number.MAX_SAFE_INTEGER));
      // the key revoked, the member's new key added: the version is withdrawn, and the member's next one is taken
      write([{ ...a1, revoked: { at: "2026-12-01T00:00:00Z", reason: "key compromised" } }, a2]);
      await until("the compromised key's version withdrawn", () => versions(first).length === 0, 15_000);
      await publishSet(kafka(), topic, signSet(set(2), a2.keyId, fresh.privateKeyPem));
      await until("version 2 in force", () => versions(first).includes(2));
      expect(await refusals(first, "rollback")).toBe(0);
    } finally {
      await first.stop();
    }
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query("SELECT signed_by, version FROM mt_indicator_versions ORDER BY version");
      expect(rows).toEqual([
        { signed_by: "hotline-a-2", version: "2" },
        { signed_by: "hotline-a-1", version: String(Number.MAX_SAFE_INTEGER) },
      ]);
    } finally {
      await pool.end();
    }

    // a process started later, on the same database: version 2 (the topic's latest) is taken, and so is 3
    const later = await startRunner(n, url, over);
    try {
      await until("version 2 in force after the restart", () => versions(later).includes(2));
      await publishSet(kafka(), topic, signSet(set(3), a2.keyId, fresh.privateKeyPem));
      await until("version 3 in force", () => versions(later).includes(3));
      expect(await refusals(later, "rollback")).toBe(0);
    } finally {
      await later.stop();
    }
  });
});
