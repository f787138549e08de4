// The sign-in throttle on a PostgreSQL server shared by two processes (two pools, as two `moneytrail run` behind a
// load balancer): attempts sent to both at once, each statement on its own connection, are checked no more than the
// limit, and the limit holds through either process and a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverDb, type Db } from "../../src/cases/db.js";
import { CONSOLE } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { freshNames, freshSchema } from "./harness.js";

let one: Db;
let two: Db;

beforeAll(async () => {
  const url = await freshSchema(freshNames("signin-throttle"));
  one = await serverDb(url, 8);
  two = await serverDb(url, 8);
  await new Auth(one).addUser(CONSOLE, { username: "held", role: "reviewer", password: "held-password-long" });
});
afterAll(async () => {
  await one?.close();
  await two?.close();
});

const failedChecks = async () => (await one.query("SELECT 1 FROM mt_audit WHERE action = 'login-failed'")).rows.length;

describe("the sign-in throttle on PostgreSQL, two processes", () => {
  it("checks at most five of twenty wrong passwords sent at once to both, refuses the next through either and after a restart, and lets the name in once the window passed", async () => {
    const [a, b] = [new Auth(one), new Auth(two)];
    const tries = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).login("held", `wrong-password-${i}-x`, `192.0.2.${i + 1}`)));
    expect(tries.filter((t) => t === null)).toHaveLength(5);
    expect(tries.filter((t) => t && "retryAfterMs" in t)).toHaveLength(15);
    expect(await failedChecks()).toBe(5);
    // the refused attempts' addresses were not counted (nor given back below zero)
    const clients = await one.query<{ failures: number }>("SELECT failures FROM mt_signin_failures WHERE kind = 'client'");
    expect(clients.rows.reduce((n, r) => n + r.failures, 0)).toBe(5);

    for (const auth of [a, b, new Auth(two)]) expect(await auth.login("held", "held-password-long", "192.0.2.100")).toHaveProperty("retryAfterMs");
    expect(await failedChecks()).toBe(5);

    await one.query("UPDATE mt_signin_failures SET since = since - interval '15 minutes'");
    expect(await b.login("held", "held-password-long", "192.0.2.100")).toHaveProperty("sessionId");
    // the name cleared, the expired addresses swept, the one that signed in given back
    expect((await one.query("SELECT kind, key, failures FROM mt_signin_failures")).rows).toEqual([{ kind: "client", key: "192.0.2.100", failures: 0 }]);
  });
});
