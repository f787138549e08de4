// Wrong passwords sent all at once: the throttle counted a failure only once its password had been checked, so
// every request sent before the first check ended was checked, and recorded, past the limit.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("sign-in throttle", { timeout: 60_000 }, () => {
  it("checks no more than five wrong passwords for a name, however many are sent at once", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "held", role: "reviewer", password: "held-password-long" });
    const tries = await Promise.all(
      Array.from({ length: 40 }, (_, i) => app.inject({ method: "POST", url: "/login", payload: { username: "held", password: `wrong-password-${i}-x` }, remoteAddress: `192.0.2.${i + 1}` })),
    );
    expect(tries.filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(tries.filter((r) => r.statusCode === 429)).toHaveLength(35);
    expect((await db.query("SELECT 1 FROM mt_audit WHERE action = 'login-failed'")).rows).toHaveLength(5);
  });

  it("does not count sign-ins with the right password against their address", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "desk", role: "reviewer", password: "desk-password-long" });
    // a shared office address where people sign in all day
    for (let i = 0; i < 21; i++)
      expect((await app.inject({ method: "POST", url: "/login", payload: { username: "desk", password: "desk-password-long" }, remoteAddress: "192.0.2.200" })).statusCode).toBe(303);
    expect((await db.query("SELECT 1 FROM mt_audit WHERE action = 'login'")).rows).toHaveLength(21);
  });
});
