// `users add --help` listed the roles (reviewer, rule-tuner, admin, auditor) but not what each may do, so an operator
// setting up a SIEM's account could not tell from it that auditor reads the audit trail export and nothing else, and
// might give the collector admin, which also manages users and tokens.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

describe("users add --help", () => {
  it("says what each role may do", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [...CLI, "users", "add", "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain("auditor: reads the audit trail export (GET /api/audit) and nothing else");
    expect(help).toContain("admin: manages users and tokens, and reads the audit trail export");
  });
});
