// A sign-in's audit row said who, never from where: a security officer looking into failed sign-ins (someone guessing
// a reviewer's password) could not tell one client from many, nor where a sign-in came from. Each sign-in's row and
// each failed one's now carries the client's address (X-Forwarded-For's, behind trusted proxies).
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a sign-in's audit row", { timeout: 60_000 }, () => {
  it("carries the client's address, signed in or not", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    const signIn = (username: string, password: string, remoteAddress: string) => app.inject({ method: "POST", url: "/login", payload: { username, password }, remoteAddress });
    expect((await signIn("rev", "not-the-password", "192.0.2.44")).statusCode).toBe(401);
    expect((await signIn("nobody", "not-a-password", "2001:db8::7")).statusCode).toBe(401);
    expect((await signIn("rev", "rev-password-long", "198.51.100.9")).statusCode).toBe(303);
    const rows = await db.query("SELECT action, actor, target, detail FROM mt_audit WHERE action LIKE 'login%' ORDER BY audit_id");
    expect(rows.rows).toEqual([
      { action: "login-failed", actor: "anonymous", target: "rev", detail: { address: "192.0.2.44" } },
      { action: "login-failed", actor: "anonymous", target: null, detail: { name: "not a user", address: "2001:db8::7" } },
      { action: "login", actor: "rev", target: null, detail: { address: "198.51.100.9" } },
    ]);
  });
});
