// `replay --indicators` without `--trust` took the sets unchecked and said nothing, while `run` without
// MT_TRUST_STORE warns that it does: a replay meant to reproduce a checked run could load a set changed after
// signing, or signed by an unknown key, and no one would know. It now warns on stderr the same way.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const WARNING = "warning: indicator sets are taken without checking signatures: give --trust with the publishers' keys\n";

describe("replay --indicators", () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-replay-trust-"));
  const events = join(dir, "events.ndjson");
  writeFileSync(events, "");
  const replay = (...args: string[]) =>
    spawnSync(process.execPath, [...CLI, "replay", "--events", events, "--out", join(dir, "alerts.ndjson"), "--no-progress", "--indicators", join(SAMPLE_DIR, "indicators"), ...args], {
      encoding: "utf8",
    });

  it("warns on stderr that the sets are not checked when no --trust is given, and not when one is", { timeout: 60_000 }, () => {
    const unchecked = replay();
    expect(unchecked.status, unchecked.stderr).toBe(0);
    expect(unchecked.stderr).toContain(WARNING);
    const checked = replay("--trust", join(SAMPLE_DIR, "trust.json"));
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stderr).not.toContain("warning");
  });
});
