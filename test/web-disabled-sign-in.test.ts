// Someone whose access was withdrawn (disabled: they left the bank) trying to sign in is what a security officer looks
// for in the audit trail; the row said "not a user", as for a name typed wrong, so the attempt could not be told
// from noise. It now names the user and says the user is disabled; the answer to the client is the same as for a
// wrong password.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a disabled user signing in", { timeout: 60_000 }, () => {
  it("is refused as a wrong password is, and the audit row names them as disabled", async () => {
    const { db, auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "gone", role: "reviewer", password: "gone-password-long" });
    await auth.setDisabled(CONSOLE, "gone", { disabled: true });
    const signIn = (password: string) => app.inject({ method: "POST", url: "/login", payload: { username: "gone", password } });
    const right = await signIn("gone-password-long");
    const wrong = await signIn("not-the-password");
    expect(right.statusCode).toBe(401);
    expect(right.body).toBe(wrong.body);
    expect(right.cookies).toEqual([]);
    const failed = await db.query("SELECT actor, target, detail FROM mt_audit WHERE action = 'login-failed' ORDER BY audit_id");
    expect(failed.rows).toEqual([
      { actor: "anonymous", target: "gone", detail: { disabled: true, address: "127.0.0.1" } },
      { actor: "anonymous", target: "gone", detail: { disabled: true, address: "127.0.0.1" } },
    ]);
  });
});
