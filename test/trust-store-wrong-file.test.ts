// A trust store path that names the wrong thing: a directory (the keys' folder, not the file) was answered with the
// EISDIR of a read and "Add or change files in the directory as said above", and a set given where the trust store goes
// (verify's two paths swapped) with zod's "keys: missing" and seven unrecognized keys. Each now says what it is.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTrustStore } from "../src/indicators/sign.js";
import { readIndicatorSet } from "../src/indicators/index.js";
import { whatToDo } from "../src/lib/errors.js";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { refusalOf } from "./helpers/refusals.js";

const refusal = (path: string) => refusalOf(() => loadTrustStore(path));

describe("a trust store path that names something else", () => {
  it("a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-trust-dir-"));
    const err = refusal(dir);
    expect(err.message).toBe(`${dir}: (top level): a directory: a trust store is one JSON file of the publishers' public keys, {"keys": [ … ]}`);
    expect(whatToDo(err)).toBe("Give the trust store's file; nothing was changed.");
  });

  it("an indicator set", () => {
    const set = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    expect(refusal(set).message).toBe(
      `${set}: (top level): this is an indicator set (coalition-sample-2026-03 of member:hotline-sample), not a trust store: a trust store is the publishers' public keys, {"keys": [ … ]}`,
    );
  });
});

// the other way round: `indicators stats trust.json`, or MT_INDICATORS naming the store, listed the six keys a set
// misses and "Unrecognized key: keys"
describe("a trust store given where an indicator set goes", () => {
  it("says it is a trust store and where it goes", () => {
    const trust = join(SAMPLE_DIR, "trust.json");
    const err = refusalOf(() => readIndicatorSet(trust));
    expect(err.message).toBe(`${trust}: (top level): this is a trust store (the publishers' public keys: 1 key), not an indicator set`);
    expect(whatToDo(err)).toBe("Give it as the trust store (--trust, MT_TRUST_STORE), and an indicator set's file or directory where the set goes; nothing was changed.");
  });
});
