// A trust store path that names the wrong thing: a directory (the keys' folder, not the file) was answered with the
// EISDIR of a read and "Add or change files in the directory as said above", and a set given where the trust store goes
// (verify's two paths swapped) with zod's "keys: missing" and seven unrecognized keys. Each now says what it is.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTrustStore } from "../src/indicators/sign.js";
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
