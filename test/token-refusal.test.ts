// A reviewer or rule tuner asking for an API token of their own (POST /api/users/NAME/tokens) was told "Ask an admin
// if you need it", but an admin can create tokens for itself only: theirs comes from the operator, on the server.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a token refused to a reviewer", { timeout: 60_000 }, () => {
  it("says it comes from the operator, with the command; other refusals still send to an admin", async () => {
    const { auth, app } = await openWeb();
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    const headers = { authorization: `Bearer ${(await auth.createToken(CONSOLE, "rev", "test")).token}` };

    const token = await app.inject({ method: "POST", url: "/api/users/rev/tokens", headers, payload: {} });
    expect(token.statusCode).toBe(403);
    expect(token.json().error).toBe(
      "rev is a reviewer; this needs the admin role (users:manage). Your API token comes from the operator, on the server: `moneytrail users token rev`.",
    );
    const users = await app.inject({ method: "GET", url: "/api/users", headers });
    expect(users.json().error).toMatch(/Ask an admin if you need it\.$/);
  });
});
