// keygen printed a key's trust-store entry once, and no command printed it again: a member that had to send its public
// key to a new partner, or rebuild its own trust store, had to derive it with node's crypto by hand. `indicators
// public-key` prints the same entry from the private key file; a public key (or keygen's entry) given in its place is
// named as what it is, and a key file others can read is warned of as sign warns of it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-public-key-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const ids = ["--key-id", "hotline-a-2026", "--publisher", "member:hotline-a"];

/** keygen's run for a new key in `name`: its stdout (the entry) and the private key's PEM. */
function keygen(name: string): { entry: string; pem: string } {
  const r = cli("keygen", ...ids, "--private-key-out", name);
  expect(r.status, r.stderr).toBe(0);
  return { entry: r.stdout, pem: readFileSync(join(dir, name), "utf8") };
}

/** Neither stream holds the private key, in whole or any line of it. */
function keepsSecret(r: { stdout: string; stderr: string }, pem: string): void {
  for (const line of pem.split("\n").filter((l) => l && !l.startsWith("-----"))) {
    expect(r.stdout).not.toContain(line);
    expect(r.stderr).not.toContain(line);
  }
  expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY-----\r?\n[A-Za-z0-9+/]/);
}

describe("indicators public-key: a key's trust-store entry again, from its private key", () => {
  it("prints byte for byte the entry keygen printed, and nothing else", { timeout: 60_000 }, () => {
    const { entry, pem } = keygen("a.pem");
    const r = cli("public-key", "--private-key", "a.pem", ...ids);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(entry);
    expect(r.stderr).toBe("");
    keepsSecret(r, pem);
  });

  it("names a public key given in place of the private key, and prints nothing", { timeout: 60_000 }, () => {
    const { entry, pem } = keygen("b.pem");
    writeFileSync(join(dir, "b.pub.pem"), (JSON.parse(entry) as { publicKey: string }).publicKey);
    const r = cli("public-key", "--private-key", "b.pub.pem", ...ids);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "refused: b.pub.pem: (top level): this is a public key, not a private key: it is what goes in trust stores, and it cannot sign; give the private key file (-----BEGIN PRIVATE KEY-----)\n" +
        "Give the private key file that `moneytrail indicators keygen --private-key-out` wrote; nothing was printed.\n",
    );
    keepsSecret(r, pem);
    // sign says the same of it
    const s = cli("sign", join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "--key-id", "hotline-a-2026", "--private-key", "b.pub.pem");
    expect(s.status).toBe(2);
    expect(s.stderr).toContain("b.pub.pem: (top level): this is a public key, not a private key");
  });

  it("names keygen's entry saved to a file and given in place of the private key", { timeout: 60_000 }, () => {
    const { entry } = keygen("c.pem");
    writeFileSync(join(dir, "c.entry.json"), entry);
    const r = cli("public-key", "--private-key", "c.entry.json", ...ids);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "c.entry.json: (top level): this is one key's trust-store entry (key hotline-a-2026 of member:hotline-a), as keygen prints it: it holds the public key, which cannot sign; give the private key file (-----BEGIN PRIVATE KEY-----)\n",
    );
  });

  it("refuses a file that is no key", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "notes.txt"), "hotline-a-2026\n");
    const r = cli("public-key", "--private-key", "notes.txt", ...ids);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("notes.txt: (top level): not a private key in PEM (keygen writes one that begins -----BEGIN PRIVATE KEY-----)\n");
  });

  it("holds --key-id and --publisher to the format's rule for ids, as keygen does", { timeout: 60_000 }, () => {
    keygen("d.pem");
    const r = cli("public-key", "--private-key", "d.pem", "--key-id", "hotline-a\t2026", "--publisher", "member:hotline-a");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: --key-id: a control or bidirectional formatting character, which would forge or hide text where the id is shown (command output, logs, alerts): use printable characters\n");
    expect(r.stdout).toBe("");
  });

  it.skipIf(process.platform === "win32")("warns of a key file others can read, as sign does, and still prints the entry", { timeout: 60_000 }, () => {
    const { entry, pem } = keygen("e.pem");
    chmodSync(join(dir, "e.pem"), 0o644);
    const r = cli("public-key", "--private-key", "e.pem", ...ids);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(entry);
    expect(r.stderr).toBe("warning: the private key e.pem is readable by its group and others (mode 0644): whoever can read it can sign sets as your publisher; run chmod 600 e.pem\n");
    keepsSecret(r, pem);
  });
});
