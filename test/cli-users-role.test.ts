// An operator adding the first user with a misspelt role (`--role reviwer`) was told, after connecting, "role:
// Invalid option: …", or only that PostgreSQL did not answer when it was down; the role is now checked first, as
// commander checks a choice, naming the flag and the roles there are.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

describe("users add", () => {
  it("refuses a role that is none, naming --role and the roles, before connecting", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [...CLI, "users", "add", "bob", "--role", "reviwer"], {
      // nothing listens there: a command that connected first would end with exit 1
      env: { ...process.env, DATABASE_URL: "postgres://operator@127.0.0.1:1/moneytrail" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("error: option '--role <role>' argument 'reviwer' is invalid. Allowed choices are reviewer, rule-tuner, admin, auditor.\n");
    expect(r.status).toBe(2);
  });
});
