// A SIEM script whose API token was revoked (by an admin, or with its user's disabling or password change) was told
// "sign in, or send Authorization: Bearer <API token>", which it had sent: nothing said the token was known and
// revoked, nor where a new one comes from; a mistyped token got the same. Now a revoked token's 401 names its id, when
// it was revoked and the command for a new one, and an unknown one is said to be no token of this service.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a bearer token refused", { timeout: 60_000 }, () => {
  it("says it was revoked, when, and where a new one comes from; an unknown one says it is none of this service's", async () => {
    const { auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "siem", role: "admin", password: "siem-password-long" });
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    const admin = { authorization: `Bearer ${(await auth.createToken(CONSOLE, "ada", "admin")).token}` };
    const t = await auth.createToken(CONSOLE, "siem", "siem-script");
    const headers = { authorization: `Bearer ${t.token}` };
    expect((await app.inject({ method: "GET", url: "/api/audit", headers })).statusCode).toBe(200);

    expect((await app.inject({ method: "DELETE", url: `/api/tokens/${t.id}`, headers: admin })).statusCode).toBe(204);
    const revoked = await app.inject({ method: "GET", url: "/api/audit", headers });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error).toMatch(
      new RegExp(`^API token ${t.id} was revoked at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(by an admin, or when siem was disabled or their password changed or reset\\): a new one comes from the operator, on the server \\(\`moneytrail users token siem\`\\); an admin can create their own on the admin page$`),
    );

    // disabling revokes the user's tokens: said the same way
    const t2 = await auth.createToken(CONSOLE, "siem", "second");
    await app.inject({ method: "PATCH", url: "/api/users/siem", headers: admin, payload: { disabled: true } });
    const disabled = await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${t2.token}` } });
    expect(disabled.statusCode).toBe(401);
    expect(disabled.json().error).toContain(`API token ${t2.id} was revoked at`);

    const unknown = await app.inject({ method: "GET", url: "/api/me", headers: { authorization: "Bearer mt_not-a-token-of-this-service" } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error).toBe(
      "that API token is none of this service's (mistyped, cut short, or from another installation): send the token as it was printed, or get one from the operator, on the server (`moneytrail users token NAME`)",
    );
  });
});
