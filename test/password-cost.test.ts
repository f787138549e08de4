// Passwords were hashed with scrypt at Node's default cost (N=2^14, r=8, p=1), below OWASP's minimum, in a form
// (scrypt$salt$key) that did not say its cost, so it could never be raised. The cost is now written in each hash
// ($scrypt$ln=14,r=8,p=5$salt$key), set by MT_PASSWORD_COST (tests run a cheap one: vitest.config.ts), and a hash of
// another cost, the old form's included, is replaced at the user's next sign-in.
import { scryptSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Db } from "../src/cases/db.js";
import { testDb } from "./helpers/db.js";
import { CONSOLE } from "../src/cases/store.js";
import { Auth, hashPassword, passwordMatches } from "../src/web/auth.js";
import { DEFAULT_PASSWORD_COST, authSettings } from "../src/config/auth.js";
import { buildWebServer } from "../src/web/server.js";
import { UsageError } from "../src/lib/errors.js";
import { unknownVariables } from "../src/config/run.js";
import { createLogger } from "../src/lib/log.js";

// one database for the file: opening one takes seconds
let db: Db;
let app: FastifyInstance;
beforeAll(async () => {
  db = await testDb();
  app = await buildWebServer({ db, log: createLogger("silent" as "fatal") });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe("password hashes", { timeout: 60_000 }, () => {
  it("at the default cost meet OWASP's scrypt minimum (N=2^14, r=8, p=5) and verify", async () => {
    // OWASP's equivalent sets trade memory (N, r) for passes (p): N·r·p at least 2^14·8·5, with r 8
    expect(DEFAULT_PASSWORD_COST).toEqual({ ln: 14, r: 8, p: 5 });
    expect(authSettings({}).passwordCost).toEqual(DEFAULT_PASSWORD_COST);
    const hash = await hashPassword("a-password-long", DEFAULT_PASSWORD_COST);
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await passwordMatches("a-password-long", hash)).toBe(true);
    expect(await passwordMatches("a-password-lonG", hash)).toBe(false);
  });

  it("of an unknown name cost what a real one does, so timing does not tell names apart", async () => {
    const strong = new Auth(db, { ...authSettings({}), passwordCost: DEFAULT_PASSWORD_COST });
    await strong.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    const timed = async (name: string) => {
      const t = performance.now();
      expect(await strong.login(name, "not-the-password", "127.0.0.1")).toBeNull();
      return performance.now() - t;
    };
    // the quickest of four each, taken in turns: a busy machine only adds time, and a burst of load (two of two
    // timings of one name taken during it gave 0.56) falls on both names
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await timed("rev"));
      unknown.push(await timed(`nobody-${i}`));
    }
    expect(Math.min(...unknown) / Math.min(...known)).toBeGreaterThan(0.6);
  });

  it("take their cost from MT_PASSWORD_COST, refusing one that is not a cost with how to write it", () => {
    expect(authSettings({ MT_PASSWORD_COST: "ln=16,r=8,p=2" }).passwordCost).toEqual({ ln: 16, r: 8, p: 2 });
    for (const bad of ["14", "ln=14,r=8", "ln=14,r=8,p=0", "ln=30,r=8,p=1", "N=16384,r=8,p=5"]) {
      expect(() => authSettings({ MT_PASSWORD_COST: bad })).toThrow(UsageError);
      expect(() => authSettings({ MT_PASSWORD_COST: bad })).toThrow(`MT_PASSWORD_COST ${bad}:`);
    }
    expect(() => authSettings({ MT_PASSWORD_COST: "14" })).toThrow(/write it as ln=14,r=8,p=5/);
    // scrypt's memory is 128·N·r bytes: a sign-in must not take gigabytes
    expect(() => authSettings({ MT_PASSWORD_COST: "ln=20,r=16,p=1" })).toThrow(/MiB/);
    // a setting, not a misspelling, to \`run\`
    expect(unknownVariables({ MT_PASSWORD_COST: "ln=16,r=8,p=2" })).toEqual([]);
  });

  it("of the old form (scrypt$salt$key, N=2^14 r=8 p=1), or of another cost, are replaced at the next sign-in", async () => {
    await new Auth(db).addUser(CONSOLE, { username: "old", role: "reviewer", password: "old-password-long" });
    const salt = Buffer.alloc(16, 7);
    const legacy = `scrypt$${salt.toString("base64")}$${scryptSync("old-password-long", salt, 32).toString("base64")}`;
    await db.query("UPDATE mt_users SET password_hash = $1, password_change_required = false WHERE username = 'old'", [legacy]);
    const stored = async () => (await db.query<{ password_hash: string }>("SELECT password_hash FROM mt_users WHERE username = 'old'")).rows[0]!.password_hash;
    const signIn = (password: string) => app.inject({ method: "POST", url: "/login", payload: { username: "old", password } });

    expect((await signIn("not-the-password")).statusCode).toBe(401);
    expect(await stored()).toBe(legacy);
    expect((await signIn("old-password-long")).statusCode).toBe(303);
    const cost = authSettings().passwordCost;
    expect(await stored()).toMatch(new RegExp(`^\\$scrypt\\$ln=${cost.ln},r=${cost.r},p=${cost.p}\\$`));
    expect((await signIn("old-password-long")).statusCode).toBe(303);
    const logins = await db.query("SELECT detail FROM mt_audit WHERE action = 'login' AND actor = 'old' ORDER BY audit_id");
    expect(logins.rows).toEqual([
      { detail: { address: "127.0.0.1", rehashed: { from: "ln=14,r=8,p=1", to: `ln=${cost.ln},r=${cost.r},p=${cost.p}` } } },
      { detail: { address: "127.0.0.1" } },
    ]);

    // a hash of the new form at another cost (the setting was raised since)
    await db.query("UPDATE mt_users SET password_hash = $1 WHERE username = 'old'", [await hashPassword("old-password-long", { ln: 4, r: 8, p: 1 })]);
    expect((await signIn("old-password-long")).statusCode).toBe(303);
    expect(await stored()).toMatch(new RegExp(`^\\$scrypt\\$ln=${cost.ln},`));
  });
});
