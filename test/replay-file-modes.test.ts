// A replay's rejects file keeps each bad line's original bytes (README: that is its point), and a bad line can hold
// anything a producer got wrong: an e-mail address in the clear, a card number. Its alerts file holds every evidence
// address in full, which the case page shows only as host and hash. Both were created readable by every local user
// (0644 under the usual umask 022); they are now created readable and writable by their owner only (0600).
import { describe, expect, it } from "vitest";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

describe.skipIf(process.platform === "win32")("a replay's output files", () => {
  it("are created for their owner only, whatever the umask lets others read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-modes-"));
    writeFileSync(join(dir, "e.ndjson"), `not an event: contact user@mail.example\n`);
    const before = process.umask(0o022);
    try {
      const s = await replay({ events: join(dir, "e.ndjson"), out: join(dir, "out", "a.ndjson"), rejects: join(dir, "out", "r.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: new IndicatorIndex(), progress: false });
      expect(s.rejected).toBe(1);
    } finally {
      process.umask(before);
    }
    expect(statSync(join(dir, "out", "r.ndjson")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "out", "a.ndjson")).mode & 0o777).toBe(0o600);
  });
});
