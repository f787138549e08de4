// The indicators commands that write a file say what they wrote, as backtest does ("wrote F" on stderr), so a
// command that printed nothing is not taken for one that did nothing.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: PACKAGE_ROOT, encoding: "utf8", timeout: 60_000 });

describe("indicators ... --out", () => {
  it("sign --out says the file it wrote", { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-sign-out-"));
    const key = join(dir, "a.key");
    const keygen = cli("keygen", "--key-id", "test-1", "--publisher", "member:test", "--private-key-out", key);
    expect(keygen.status, keygen.stderr).toBe(0);
    expect(keygen.stderr).toBe(`wrote ${key}\n`);
    const out = join(dir, "signed.json");
    const r = cli("sign", join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "--key-id", "test-1", "--private-key", key, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(true);
  });
});
