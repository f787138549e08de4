// keygen and sign took any --key-id and --publisher: a key id with a tab or a right-to-left override (pasted from a
// document), or over 128 characters, was written into the key's entry and into the signed set, and the set that came
// out was unreadable by everyone, the signer's own verify included ("signature.keyId: a control or bidirectional
// formatting character"). The flags are now held to the format's rule for ids, before a key is made or a set signed.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { SAMPLE_KEY_ID } from "../src/fixtures/write-sample.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-key-id-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const CONTROL = "a control or bidirectional formatting character, which would forge or hide text where the id is shown (command output, logs, alerts): use printable characters";

describe("key ids and publishers given to keygen and sign", () => {
  it("keygen refuses a key id with a control character, and writes no key", { timeout: 60_000 }, () => {
    const r = cli("keygen", "--key-id", "hotline-a\t2026", "--publisher", "member:hotline-a", "--private-key-out", "a.pem");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: --key-id: ${CONTROL}\n`);
    expect(existsSync(join(dir, "a.pem"))).toBe(false);
  });

  it("keygen refuses a publisher with a right-to-left override", { timeout: 60_000 }, () => {
    const r = cli("keygen", "--key-id", "hotline-a-2026", "--publisher", "member:\u202ehotline-a", "--private-key-out", "b.pem");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: --publisher: ${CONTROL}\n`);
  });

  it("sign refuses a key id longer than a set may carry", { timeout: 60_000 }, () => {
    const key = join(SAMPLE_DIR, "keys", `${SAMPLE_KEY_ID}.key.pem`);
    const r = cli("sign", join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "--key-id", "k".repeat(129), "--private-key", key);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: --key-id: at most 128 characters\n");
    expect(r.stdout).toBe("");
  });
});
