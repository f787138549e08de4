// A reviewer who locked themselves out (5 wrong passwords) and asked for a reset: the reset's one-time password must
// sign them in at once, not after the 15 minutes of the hold on their name (the README's way to lift one early is a
// DELETE in psql). An admin's reset lifts the hold on the name; a hold on a client address stays.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("an admin's password reset of a user held by the sign-in throttle", { timeout: 60_000 }, () => {
  it("lets the one-time password sign in at once", async () => {
    const { auth } = await openWeb();
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    for (let i = 0; i < 5; i++) expect(await auth.login("rev", `wrong-password-${i}`, `192.0.2.${i + 1}`)).toBeNull();
    expect(await auth.login("rev", "rev-password-long", "192.0.2.9")).toHaveProperty("retryAfterMs");

    const { password } = await auth.resetPassword({ username: "ada", role: "admin" }, "rev");
    expect(await auth.login("rev", password, "192.0.2.9")).toHaveProperty("sessionId");
  });
});
