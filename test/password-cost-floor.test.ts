// MT_PASSWORD_COST had no floor: `ln=1,r=1,p=1` (a hash in microseconds, a leaked table's passwords guessed at
// millions a second) was taken silently by `run`, the page and `users add`. A cost below OWASP's scrypt minimum is
// now refused, naming the minimum, unless NODE_ENV=test: the test runner's own (vitest sets it), under which the
// tests hash at a cheap cost (vitest.config.ts) as they add users and sign in many times.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";
import { authSettings } from "../src/config/auth.js";
import { UsageError } from "../src/lib/errors.js";

describe("MT_PASSWORD_COST", () => {
  it("below OWASP's scrypt minimum is refused, saying the minimum and how tests run cheaper", () => {
    for (const weak of ["ln=1,r=1,p=1", "ln=10,r=8,p=1", "ln=14,r=8,p=1", "ln=12,r=8,p=10", "ln=16,r=1,p=5"]) {
      expect(() => authSettings({ MT_PASSWORD_COST: weak })).toThrow(UsageError);
      expect(() => authSettings({ MT_PASSWORD_COST: weak })).toThrow(`MT_PASSWORD_COST ${weak}: below OWASP's minimum for scrypt`);
    }
    expect(() => authSettings({ MT_PASSWORD_COST: "ln=10,r=8,p=1", NODE_ENV: "production" })).toThrow(/NODE_ENV=test/);
  });

  it("at OWASP's minimum or above is taken", () => {
    // OWASP's Password Storage Cheat Sheet lists these as equal minimums
    for (const [text, cost] of [
      ["ln=17,r=8,p=1", { ln: 17, r: 8, p: 1 }],
      ["ln=16,r=8,p=2", { ln: 16, r: 8, p: 2 }],
      ["ln=15,r=8,p=3", { ln: 15, r: 8, p: 3 }],
      ["ln=14,r=8,p=5", { ln: 14, r: 8, p: 5 }],
      ["ln=13,r=8,p=10", { ln: 13, r: 8, p: 10 }],
    ] as const)
      expect(authSettings({ MT_PASSWORD_COST: text }).passwordCost).toEqual(cost);
  });

  it("below the minimum is taken under the test runner (NODE_ENV=test)", () => {
    expect(authSettings({ MT_PASSWORD_COST: "ln=10,r=8,p=1", NODE_ENV: "test" }).passwordCost).toEqual({ ln: 10, r: 8, p: 1 });
  });

  it("below the minimum stops `users add` before it connects (exit 2)", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [...CLI, "users", "add", "bob", "--role", "reviewer"], {
      // nothing listens there: a command that connected first would end with exit 1
      env: { ...process.env, NODE_ENV: "production", MT_PASSWORD_COST: "ln=4,r=8,p=1", DATABASE_URL: "postgres://operator@127.0.0.1:1/moneytrail" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toMatch(/^error: MT_PASSWORD_COST ln=4,r=8,p=1: below OWASP's minimum for scrypt/);
    expect(r.status).toBe(2);
  });
});
