// The operator's `moneytrail users token NAME` for a user an admin disabled printed a token that was refused at once
// (a disabled user's tokens do not sign in), and that came alive when the user was enabled again, although enabling
// is said to leave earlier tokens revoked. A token for a disabled user is now refused, saying why and what to do.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { AuthError } from "../src/web/auth.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a token for a disabled user", { timeout: 60_000 }, () => {
  it("is refused, nothing is written, and enabling the user brings no token back", async () => {
    const { auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "admin1", role: "admin", password: "admin-password-long" });
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await auth.setDisabled({ username: "admin1", role: "admin" }, "rev", { disabled: true });

    const refused = auth.createToken(CONSOLE, "rev", "after leaving");
    await expect(refused).rejects.toThrow(AuthError);
    await expect(refused).rejects.toThrow("user rev is disabled: an admin enables them first (the admin page, or PATCH /api/users/rev {\"disabled\": false}); no token was created");
    expect((await auth.users()).find((u) => u.username === "rev")?.tokens).toBe(0);

    await auth.setDisabled({ username: "admin1", role: "admin" }, "rev", { disabled: false });
    expect((await auth.users()).find((u) => u.username === "rev")?.tokens).toBe(0);
    // once enabled, the operator's token works
    const { token } = await auth.createToken(CONSOLE, "rev", "back");
    const me = await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toEqual({ username: "rev", role: "reviewer" });
  });
});
