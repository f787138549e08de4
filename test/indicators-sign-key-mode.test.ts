// `indicators sign` read a private key file that anyone on the machine could read (mode 0644) without a word, where
// ssh refuses such a key: whoever can read it can sign sets as the publisher. It now warns on stderr with the mode and
// the chmod to run, and still signs (the sample key in git is 0644, and the demo and tests sign with it).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMAT } from "../src/indicators/schema.js";
import { generateSigningKey } from "../src/indicators/sign.js";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-sign-key-mode-"));
const set = join(dir, "set.json");
writeFileSync(set, JSON.stringify({ format: FORMAT, id: "mode-test", publisher: { id: "member:hotline-a" }, version: 1, created: "2026-11-01T00:00:00Z", entries: [{ id: "a-1", kind: "domain", value: "flagged-a.example", confidence: 90 }] }));
const key = (mode: number) => {
  const f = join(dir, `key-${mode.toString(8)}.pem`);
  writeFileSync(f, generateSigningKey().privateKeyPem);
  chmodSync(f, mode);
  return f;
};
const sign = (keyFile: string) => {
  const out = join(dir, `signed-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, [...CLI, "indicators", "sign", set, "--key-id", "a-1", "--private-key", keyFile, "--out", out], { encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(readFileSync(out, "utf8"))).toHaveProperty("signature");
  return r.stderr;
};

describe.skipIf(process.platform === "win32")("indicators sign with a private key others can read", () => {
  it("warns with the mode and the chmod to run, and signs", { timeout: 60_000 }, () => {
    const open = key(0o644);
    const err = sign(open);
    expect(err).toContain(`warning: the private key ${open} is readable by its group and others (mode 0644)`);
    expect(err).toContain(`chmod 600 ${open}`);
    expect(sign(key(0o640))).toContain("readable by its group (mode 0640)");
  });

  it("says nothing of a key only its owner can read", { timeout: 60_000 }, () => {
    expect(sign(key(0o600))).not.toContain("warning");
  });

  it("says of the sample key that it is the sample's, not to be used for a real set", { timeout: 60_000 }, () => {
    const sample = join(SAMPLE_DIR, "keys", "hotline-sample-2026.key.pem");
    chmodSync(sample, 0o644);
    const err = sign(sample);
    expect(err).toContain("the sample publisher's key");
    expect(err).not.toContain("chmod");
  });
});
