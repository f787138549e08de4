// `indicators stats` counts the entries not valid yet (notYetValid) beside the revoked and expired ones, and the
// README says so; its help listed only revoked and expired, so a user reading it did not look for that count.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

describe("moneytrail indicators --help", () => {
  it("says that stats counts the entries not valid yet", () => {
    for (const args of [["indicators", "--help"], ["indicators", "stats", "--help"]]) {
      const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.replace(/\s+/g, " ")).toMatch(/revoked, expired, not yet valid, signature/);
    }
  });
});
