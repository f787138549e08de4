// The audit trail and the rules' history name what no user did by names of their own: console (the server's command
// line, role admin), anonymous (a failed sign-in), webhook (a delivery given up) and directory (a hand edit of the
// rules). A user could be added under any of them, so an admin named console acted in the trail as the operator on
// the server, and a tuner named directory's saves read as hand edits. These names are now refused for a user.
import { describe, expect, it } from "vitest";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a user named as the audit trail names no user", { timeout: 60_000 }, () => {
  it("is refused, 400, and not added", async () => {
    const { db, auth, app } = await openWeb();
    const headers = await bearer(auth, "ada", "admin");
    for (const username of ["console", "anonymous", "webhook", "directory"]) {
      const r = await app.inject({ method: "POST", url: "/api/users", headers, payload: { username, role: "admin" } });
      expect(r.statusCode, username).toBe(400);
      expect(r.json().error).toBe(`username: ${username} names what no user does in the audit trail (console, anonymous, webhook, directory): choose another name`);
    }
    expect((await db.query<{ username: string }>("SELECT username FROM mt_users ORDER BY 1")).rows).toEqual([{ username: "ada" }]);
    // other names as before
    expect((await app.inject({ method: "POST", url: "/api/users", headers, payload: { username: "consoles", role: "reviewer" } })).statusCode).toBe(201);
  });
});
