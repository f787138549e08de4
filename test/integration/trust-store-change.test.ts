// An admin edits MT_TRUST_STORE under a running consumer: a member's key revoked (compromised) withdraws the sets it
// signed from force at once, a member's key added puts in force its set already refused on the topic, and a broken
// edit is refused with the file and the place in it while the keys in force stay. Before, the file was read at
// start only: the running consumer went on taking sets signed with the revoked key, silently, until a restart.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publishSet } from "../../src/indicators/distribution.js";
import { FORMAT, type IndicatorSet } from "../../src/indicators/schema.js";
import { generateSigningKey, signSet, type TrustedKey } from "../../src/indicators/sign.js";
import { createLogger } from "../../src/lib/log.js";
import { createTopics, freshNames, freshSchema, kafka, startRunner, until } from "./harness.js";

const member = (name: string) => {
  const key = generateSigningKey();
  const entry: TrustedKey = { keyId: `${name}-1`, publisher: `member:${name}`, publicKey: key.publicKeyPem };
  const set: IndicatorSet = {
    format: FORMAT,
    id: `${name}-set`,
    publisher: { id: `member:${name}` },
    version: 1,
    created: "2026-11-01T00:00:00Z",
    entries: [{ id: `${name}-1`, kind: "domain", value: `${name}-listed.example`, confidence: 90 }],
  };
  return { entry, signed: signSet(set, entry.keyId, key.privateKeyPem) };
};

describe("a trust store changed under a running consumer", () => {
  it("withdraws the sets of a key revoked, takes those of a key added, refuses a broken edit", { timeout: 120_000 }, async () => {
    const n = freshNames("trust-change");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const topic = `${n.id}.indicator-sets`;
    const a = member("hotline-a");
    const b = member("bank-b");
    const trust = join(mkdtempSync(join(tmpdir(), "mt-trust-")), "trust.json");
    const write = (keys: TrustedKey[]) => writeFileSync(trust, JSON.stringify({ keys }));
    write([a.entry]);
    const logged: { msg: string; refused?: string; withdrawn?: { set: string; reason: string }[]; taken?: { set: string }[] }[] = [];
    const runner = await startRunner(n, url, { indicators: undefined, indicatorTopic: topic, trustStore: trust }, createLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line)) }));
    const inForce = () => runner.indicatorSets.map((s) => s.id).sort();
    try {
      await publishSet(kafka(), topic, a.signed);
      await publishSet(kafka(), topic, b.signed);
      await until("a's set in force, b's refused", () => inForce().includes("hotline-a-set") && logged.some((l) => /bank-b-set is signed with key bank-b-1, which is not in the trust store/.test(l.refused ?? "")));
      expect(inForce()).toEqual(["hotline-a-set"]);

      // a's key compromised, b's added
      write([{ ...a.entry, revoked: { at: "2026-12-01T00:00:00Z", reason: "key compromised" } }, b.entry]);
      // the log line comes once retrust resolves, after it has put the sets in force and recorded them (an await later)
      const changedLine = () => logged.some((l) => l.msg === "trust store changed: its keys are in force");
      await until("the change in force and said", () => inForce().includes("bank-b-set") && changedLine(), 15_000);
      expect(inForce()).toEqual(["bank-b-set"]);
      expect(logged.find((l) => l.msg === "trust store changed: its keys are in force")).toEqual(
        expect.objectContaining({
          withdrawn: [expect.objectContaining({ set: "hotline-a-set", reason: expect.stringMatching(/key hotline-a-1 of member:hotline-a was revoked at 2026-12-01T00:00:00Z \(key compromised\)/) })],
          taken: [expect.objectContaining({ set: "bank-b-set" })],
        }),
      );

      // a broken edit: refused with the file and the place, the keys in force stay (b's set is not withdrawn)
      writeFileSync(trust, JSON.stringify({ keys: [{ ...b.entry, publicKey: "pasted wrong" }] }));
      await until("the refusal", () => logged.some((l) => l.msg === "trust store change refused; the keys in force stay"), 15_000);
      expect(logged.find((l) => l.msg === "trust store change refused; the keys in force stay")?.refused).toContain(`${trust}: keys[0].publicKey: not an Ed25519 public key in PEM`);
      expect(inForce()).toEqual(["bank-b-set"]);

      // a's set signed again with its new key and published as the next version is taken
      const a2 = generateSigningKey();
      write([{ ...a.entry, revoked: { at: "2026-12-01T00:00:00Z", reason: "key compromised" } }, b.entry, { ...a.entry, keyId: "hotline-a-2", publicKey: a2.publicKeyPem }]);
      await until("the new key in force", () => logged.filter((l) => l.msg === "trust store changed: its keys are in force").length === 2, 15_000);
      await publishSet(kafka(), topic, signSet({ ...a.signed, version: 2 }, "hotline-a-2", a2.privateKeyPem));
      await until("a's set back", () => inForce().includes("hotline-a-set"));
      expect(inForce()).toEqual(["bank-b-set", "hotline-a-set"]);
    } finally {
      await runner.stop();
    }
  });
});
