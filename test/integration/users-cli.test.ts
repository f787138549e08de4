// The operator on the server could add users and give tokens, but not see who has access nor withdraw it: an
// auditor's "who can sign in, with which role and tokens?" needed psql, and off-boarding someone when no admin could
// sign in (the one who left was the only one) needed the page. `users list`, `users disable NAME` and `users enable
// NAME` do it, and `users revoke-token ID` stops one token (the id `users list` shows), on the real PostgreSQL,
// audited as the console.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { serverSchema } from "./harness.js";

const { db, cli } = serverSchema("userscli");

describe("users list, disable, enable", () => {
  it("list who has access, withdraw it and give it back, audited as the console", { timeout: 120_000 }, async () => {
    const auth = new Auth(db());
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    await auth.addUser(CONSOLE, { username: "rita", role: "reviewer", password: "rita-password-long" });
    const t = await auth.createToken(CONSOLE, "rita", "script", 30);

    const listed = cli("users", "list");
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(
      `user  role      disabled  live API tokens\nada   admin     no        -\nrita  reviewer  no        ${t.id} (script) until ${t.expiresAt}\n`,
    );

    const off = cli("users", "disable", "rita");
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toBe("disabled rita: signed out everywhere, API tokens revoked\n");
    await expect(auth.byToken(t.token)).rejects.toThrow("was revoked at");
    expect(await auth.login("rita", "rita-password-long", "127.0.0.1")).toBeNull();
    expect(cli("users", "list").stdout).toContain("rita  reviewer  yes       -\n");

    const on = cli("users", "enable", "rita");
    expect(on.status, on.stderr).toBe(0);
    expect(on.stdout).toBe("enabled rita: they sign in with their password; earlier API tokens stay revoked\n");
    expect(await auth.login("rita", "rita-password-long", "127.0.0.1")).not.toBeNull();

    const rows = await db().query("SELECT actor, action, target FROM mt_audit WHERE action LIKE 'user-%able' ORDER BY audit_id");
    expect(rows.rows).toEqual([
      { actor: "console", action: "user-disable", target: "rita" },
      { actor: "console", action: "user-enable", target: "rita" },
    ]);
    const none = cli("users", "disable", "nobody");
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("error: no user nobody\n");
  });

  it("revoke-token stops one token at once, audited as the console", { timeout: 120_000 }, async () => {
    const auth = new Auth(db());
    await auth.addUser(CONSOLE, { username: "siem", role: "admin", password: "siem-password-long" });
    const t = await auth.createToken(CONSOLE, "siem", "in-a-ticket");
    const kept = await auth.createToken(CONSOLE, "siem", "script");
    const r = cli("users", "revoke-token", t.id);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`revoked API token ${t.id} of siem\n`);
    await expect(auth.byToken(t.token)).rejects.toThrow("was revoked at");
    // still working, and named in what it does (the audit trail's credential, 6cd8448)
    expect(await auth.byToken(kept.token)).toEqual({ username: "siem", role: "admin", credential: { token: kept.id, name: "script" } });
    expect((await db().query("SELECT actor, target FROM mt_audit WHERE action = 'token-revoke'")).rows).toEqual([{ actor: "console", target: "siem" }]);
    const again = cli("users", "revoke-token", t.id);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`error: no live token ${t.id}\n`);
  });
});
