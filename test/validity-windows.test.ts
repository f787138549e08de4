// An entry whose validUntil is not later than its validFrom never matches, and a trust-store key whose window closes
// before it opens verifies no set: both were taken silently (a slip such as the two dates swapped left an entry dead,
// or refused every set of a member as outside the key's window). Both are now refused with the file, the place and why.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readIndicatorSet } from "../src/indicators/index.js";
import { generateSigningKey, loadTrustStore } from "../src/indicators/sign.js";
import { hotlineSet } from "./helpers/events.js";

const file = (name: string, json: unknown): string => {
  const f = join(mkdtempSync(join(tmpdir(), "mt-window-")), name);
  writeFileSync(f, JSON.stringify(json));
  return f;
};
const FROM = "2026-12-01T00:00:00Z";
const UNTIL = "2026-11-01T00:00:00Z";

describe("validity windows that close before they open", () => {
  it("refuse an indicator entry, naming the set's file and the entry", () => {
    const set = hotlineSet({
      id: "hotline-a-2026-11",
      created: "2026-11-01T00:00:00Z",
      entries: [
        { id: "a-1", kind: "domain", value: "flagged-gallery.example", confidence: 90, validFrom: UNTIL, validUntil: FROM },
        { id: "a-2", kind: "domain", value: "other-gallery.example", confidence: 90, validFrom: FROM, validUntil: UNTIL },
      ],
    });
    const f = file("set.json", set);
    expect(() => readIndicatorSet(f)).toThrow(
      `${f}: entries[1].validUntil: ${UNTIL} is not later than validFrom (${FROM}): the entry would never match; are the two swapped?`,
    );
    // the same instant is no window either
    const same = file("same.json", { ...set, entries: [{ ...set.entries[0], validUntil: UNTIL }] });
    expect(() => readIndicatorSet(same)).toThrow(/entries\[0\]\.validUntil: .* is not later than validFrom/);
  });

  it("refuse a trust-store key, naming the entry", () => {
    const key = { keyId: "hotline-a-1", publisher: "member:hotline-a", publicKey: generateSigningKey().publicKeyPem };
    const f = file("trust.json", { keys: [{ ...key, validFrom: UNTIL, validUntil: FROM }, { ...key, keyId: "hotline-a-2", validFrom: FROM, validUntil: UNTIL }] });
    expect(() => loadTrustStore(f)).toThrow(`${f}: keys[1].validUntil: ${UNTIL} is not later than validFrom (${FROM}): the key would verify no set; are the two swapped?`);
  });
});
