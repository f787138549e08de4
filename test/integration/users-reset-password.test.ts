// An operator answering a leaked or forgotten password on the server (an admin locked out, or none at hand) had only
// `users add`: no command gave an existing user a new password. `moneytrail users reset-password NAME` prints a
// one-time password, ends the user's sessions and revokes their API tokens, on the real PostgreSQL, audited as the
// console; a name that is no user's is refused, exit 2.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { serverSchema } from "./harness.js";

const { db, cli } = serverSchema("reset");

describe("users reset-password", () => {
  it("prints a one-time password, ends the user's sessions and revokes their tokens, audited as the console", { timeout: 120_000 }, async () => {
    const auth = new Auth(db());
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    const token = await auth.createToken(CONSOLE, "rev", "script");
    const signedIn = await auth.login("rev", "rev-password-long", "127.0.0.1");
    if (!signedIn || !("sessionId" in signedIn)) throw new Error("rev did not sign in");

    const r = cli("users", "reset-password", "rev");
    expect(r.status, r.stderr).toBe(0);
    const password = /one-time password: (\S+)\n$/.exec(r.stdout)?.[1];
    expect(r.stdout).toContain("reset the password of rev (reviewer): 1 sessions ended, 1 API tokens revoked (new ones: moneytrail users token rev)");
    expect(password).toBeDefined();

    expect(await auth.bySession(signedIn.sessionId)).toBeNull();
    await expect(auth.byToken(token.token)).rejects.toThrow(`API token ${token.id} was revoked at`);
    expect(await auth.login("rev", "rev-password-long", "127.0.0.1")).toBeNull();
    const again = await auth.login("rev", password!, "127.0.0.1");
    expect(again && "session" in again && again.session.mustChangePassword).toBe(true);
    const rows = await db().query("SELECT actor, role, target, detail FROM mt_audit WHERE action = 'password-reset'");
    expect(rows.rows).toEqual([{ actor: "console", role: "admin", target: "rev", detail: { sessionsEnded: 1, tokensRevoked: 1 } }]);

    const none = cli("users", "reset-password", "nobody");
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("error: no user nobody\n");
  });
});
