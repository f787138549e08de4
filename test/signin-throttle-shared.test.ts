// The sign-in throttle counted in each process's memory: a guesser got five wrong passwords a name from every process
// behind the load balancer, and five more after each restart. The counts are now in the database, shared and kept.
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../src/cases/db.js";
import { CONSOLE } from "../src/cases/store.js";
import { Auth } from "../src/web/auth.js";
import { testDb } from "./helpers/db.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";

const opened: Db[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

/** A database with the user `held`, and two processes' Auth on it. */
async function twoProcesses(): Promise<{ db: Db; a: Auth; b: Auth }> {
  const db = await testDb();
  opened.push(db);
  const a = new Auth(db);
  await a.addUser(CONSOLE, { username: "held", role: "reviewer", password: "held-password-long" });
  return { db, a, b: new Auth(db) };
}

const failedChecks = async (db: Db) => (await db.query("SELECT 1 FROM mt_audit WHERE action = 'login-failed'")).rows.length;
// when the window passes: the rows dated back rather than waited for
const windowPassed = (db: Db) => db.query("UPDATE mt_signin_failures SET since = since - interval '15 minutes'");

describe("the sign-in throttle across processes and restarts", { timeout: 60_000 }, () => {
  it("refuses unchecked the sixth wrong password for a name through another process, and after a restart", async () => {
    const { db, a, b } = await twoProcesses();
    for (let i = 0; i < 5; i++) expect(await a.login("held", `wrong-password-${i}-x`, `192.0.2.${i + 1}`)).toBeNull();
    expect(await b.login("held", "held-password-long", "192.0.2.100")).toEqual({ retryAfterMs: expect.any(Number) });
    const restarted = new Auth(db);
    const r = await restarted.login("held", "held-password-long", "192.0.2.101");
    expect(r && "retryAfterMs" in r && r.retryAfterMs).toBeGreaterThan(14 * 60_000);
    expect(await failedChecks(db)).toBe(5);
  });

  it("checks at most five of twenty wrong passwords sent at once to two processes", async () => {
    const { db, a, b } = await twoProcesses();
    const tries = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).login("held", `wrong-password-${i}-x`, `192.0.2.${i + 1}`)));
    expect(tries.filter((t) => t === null)).toHaveLength(5);
    expect(await failedChecks(db)).toBe(5);
  });

  it("lets the name try again once the window has passed, and clears it on the right password", async () => {
    const { db, a, b } = await twoProcesses();
    for (let i = 0; i < 5; i++) await a.login("held", `wrong-password-${i}-x`, "192.0.2.1");
    await windowPassed(db);
    for (let i = 0; i < 4; i++) expect(await b.login("held", `wrong-password-${i}-y`, "192.0.2.2")).toBeNull();
    expect(await a.login("held", "held-password-long", "192.0.2.2")).toHaveProperty("sessionId");
    // cleared: five more wrong ones are checked
    for (let i = 0; i < 5; i++) expect(await b.login("held", `wrong-password-${i}-z`, `192.0.2.${i + 3}`)).toBeNull();
    expect(await b.login("held", "wrong-password-x", "192.0.2.9")).toHaveProperty("retryAfterMs");
  });

  it("holds a client after twenty wrong passwords in any process, keeps no name as typed, and drops expired rows", async () => {
    const { db, a, b } = await twoProcesses();
    // a password typed in the name field
    for (let i = 0; i < 20; i++) expect(await (i % 2 ? a : b).login(`typed-secret-${i}`, "not-a-password-x", "2001:db8:1:2::1")).toBeNull();
    expect(await a.login("held", "held-password-long", "2001:db8:1:2::99")).toHaveProperty("retryAfterMs");
    // refused attempts add no rows: one client's bound is its twenty names and itself
    for (let i = 0; i < 10; i++) await b.login(`another-${i}`, "not-a-password-x", "2001:db8:1:2::1");
    const rows = await db.query<{ kind: string; key: string; failures: number }>("SELECT kind, key, failures FROM mt_signin_failures");
    expect(rows.rows).toHaveLength(21);
    expect(JSON.stringify(rows.rows)).not.toContain("typed-secret");
    expect(rows.rows.find((r) => r.kind === "client")).toEqual({ kind: "client", key: "2001:db8:1:2::/64", failures: 20 });
    // expired rows go with a later count
    await windowPassed(db);
    expect(await a.login("held", "wrong-password-x", "192.0.2.1")).toBeNull();
    expect((await db.query("SELECT kind FROM mt_signin_failures ORDER BY kind")).rows).toEqual([{ kind: "client" }, { kind: "name" }]);
  });

  it("counts wrong current passwords with the name's sign-ins in every process", async () => {
    const { a, b } = await twoProcesses();
    const who = { username: "held", role: "reviewer" as const };
    for (let i = 0; i < 5; i++) await expect(a.changePassword(who, { currentPassword: `guess-${i}-password`, newPassword: "a-new-password-long" })).rejects.toHaveProperty("status", 403);
    await expect(b.changePassword(who, { currentPassword: "held-password-long", newPassword: "a-new-password-long" })).rejects.toHaveProperty("status", 429);
    expect(await b.login("held", "held-password-long", "192.0.2.1")).toHaveProperty("retryAfterMs");
  });
});

describe("a sign-in with the database down", { timeout: 60_000 }, () => {
  it("fails as one whose user table cannot be read, not let through unthrottled", async () => {
    const { db } = await twoProcesses();
    const app = await buildWebServer({ db, log: createLogger("silent" as "fatal") });
    try {
      // the database gone after the server started (closed here, so not again after the test)
      await db.close();
      opened.pop();
      const r = await app.inject({ method: "POST", url: "/login", payload: { username: "held", password: "held-password-long" } });
      expect(r.statusCode).toBe(500);
      expect(r.body).toContain("internal error; see the service log");
    } finally {
      await app.close();
    }
  });
});
