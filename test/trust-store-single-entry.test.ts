// keygen prints one key's trust-store entry; an admin who saved it as the trust store itself (not in its keys array)
// was told `keys: missing` and `Unrecognized keys: "keyId", "publisher", "publicKey"`, which reads as if the key were
// wrong. The refusal now says it is one entry and where it goes.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSigningKey, loadTrustStore } from "../src/indicators/sign.js";
import { whatToDo, type ConfigError } from "../src/lib/errors.js";

describe("a trust store that is one key's entry, as keygen prints it", () => {
  it("is refused saying to put the entry in the keys array", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mt-trust-entry-")), "trust.json");
    writeFileSync(file, JSON.stringify({ keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: generateSigningKey().publicKeyPem }, null, 2));
    let err: unknown;
    try {
      loadTrustStore(file);
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe(
      `${file}: (top level): this is one key's entry (key hotline-a-1 of member:hotline-a), as moneytrail indicators keygen prints it: a trust store holds entries in its keys array, {"keys": [ entry, … ]}; put it there`,
    );
    expect(whatToDo(err as ConfigError)).toBe("Fix the file and run the command again; nothing was changed.");
  });
});
