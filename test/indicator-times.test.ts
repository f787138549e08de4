// A coalition analyst writing a set or a trust store by hand: a time without seconds or without its `Z` was refused
// as zod's "Invalid ISO datetime", which says neither what is missing nor what one looks like.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readIndicatorSet } from "../src/indicators/index.js";
import { loadTrustStore } from "../src/indicators/sign.js";

const dir = mkdtempSync(join(tmpdir(), "mt-indicator-times-"));
const TIME = "expected an RFC 3339 time with seconds and Z (or an offset), e.g. 2026-11-01T00:00:00Z";

function refusal(name: string, content: unknown, read: (file: string) => unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(content));
  try {
    read(file);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${name} was taken`);
}

describe("times in indicator sets and trust stores", () => {
  it("a time without its Z, or a date alone, is refused saying what a time looks like", () => {
    const set = {
      format: "moneytrail-indicators/1",
      id: "times-1",
      version: 1,
      publisher: { id: "member:times" },
      created: "2026-11-01T00:00:00",
      entries: [{ id: "t-1", kind: "domain", value: "listed-shop.example", confidence: 80, tlp: "amber", validUntil: "2027-05-01" }],
    };
    expect(refusal("set.json", set, readIndicatorSet)).toBe(`${join(dir, "set.json")}: created: ${TIME}\n${join(dir, "set.json")}: entries[0].validUntil: ${TIME}`);
    const store = { keys: [{ keyId: "k-1", publisher: "member:times", publicKey: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", validUntil: "2027-01-01 00:00:00Z" }] };
    expect(refusal("trust.json", store, loadTrustStore)).toContain(`keys[0].validUntil: ${TIME}`);
  });
});
