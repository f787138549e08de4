// A session opened with an initial password is refused everything else until it sets its own, and the refusal's
// advice works as given: POST /api/me/password from a cookie session needs its CSRF token (x-csrf-token), which
// the message says, and where to find it.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the refusal a session with an initial password gets", { timeout: 60_000 }, () => {
  it("says the API change needs the session's CSRF token and where it is, and following it works", async () => {
    const { auth, app } = await openWeb();
    const { password } = await auth.addUser(CONSOLE, { username: "newbie", role: "reviewer" });
    const signIn = await app.inject({ method: "POST", url: "/login", payload: { username: "newbie", password } });
    const session = { cookie: `mt_session=${signIn.cookies.find((c) => c.name === "mt_session")!.value}` };

    const refused = await app.inject({ method: "GET", url: "/api/cases", headers: session });
    expect(refused.statusCode).toBe(403);
    const error = refused.json<{ error: string }>().error;
    expect(error).toContain("the form at /password");
    expect(error).toContain("POST /api/me/password {currentPassword, newPassword} with the header x-csrf-token: the value of that form's hidden _csrf field");

    const change = { currentPassword: password, newPassword: "newbie-own-password" };
    // as the message said before: refused for the missing token
    expect((await app.inject({ method: "POST", url: "/api/me/password", headers: session, payload: change })).statusCode).toBe(403);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await app.inject({ method: "GET", url: "/password", headers: session })).body)![1]!;
    const done = await app.inject({ method: "POST", url: "/api/me/password", headers: { ...session, "x-csrf-token": csrf }, payload: change });
    expect(done.statusCode, done.body).toBe(200);
    expect((await app.inject({ method: "GET", url: "/api/cases", headers: session })).statusCode).toBe(200);
  });
});
