// A NUL character (U+0000) in a request's body, query or address reached PostgreSQL, which cannot store or compare
// one: the answer was a 500 "internal error" and an error line in the service's log, for anyone, signed in or not (a
// sign-in form with %00 in the name). Such a request is now refused, 400, saying what to remove, and logs nothing.
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/log.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { caseAlert, recordCase } from "./helpers/cases.js";

const openWeb = embeddedWeb();

describe("a NUL character in a request", { timeout: 60_000 }, () => {
  it("is refused, 400, with what to do, and logs no error", async () => {
    const lines: string[] = [];
    const { db, auth, app } = await openWeb({ log: createLogger("warn", { write: (l: string) => void lines.push(l) }) });
    const reviewer = await bearer(auth, "rita", "reviewer");
    const admin = await bearer(auth, "ada", "admin");
    const id = await recordCase(db, caseAlert({ alertId: "a-1" }));

    const signIn = await app.inject({ method: "POST", url: "/login", payload: "username=rita%00&password=whatever-it-is", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(signIn.statusCode).toBe(400);
    expect(signIn.body).toContain("NUL character");
    const comment = await app.inject({ method: "POST", url: `/api/cases/${id}/comments`, headers: reviewer, payload: { body: "a\u0000b" } });
    expect(comment.statusCode).toBe(400);
    expect(comment.json().error).toMatch(/^body\.body: a NUL character \(U\+0000\) is not taken: remove it/);
    const action = await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: reviewer, payload: { action: "assign", note: "x\u0000" } });
    expect(action.statusCode).toBe(400);
    expect(action.json().error).toContain("body.note: a NUL character");
    const queue = await app.inject({ method: "GET", url: "/api/cases?merchant=a%00b", headers: reviewer });
    expect(queue.statusCode).toBe(400);
    expect(queue.json().error).toContain("query.merchant: a NUL character");
    const user = await app.inject({ method: "PATCH", url: "/api/users/a%00b", headers: admin, payload: { disabled: true } });
    expect(user.statusCode).toBe(400);
    expect(user.json().error).toContain("address: a NUL character");

    expect(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
    // nothing was done
    expect((await db.query("SELECT 1 FROM mt_case_comments")).rows).toEqual([]);
    expect((await db.query("SELECT status FROM mt_cases WHERE case_id = $1::bigint", [id])).rows).toEqual([{ status: "open" }]);
  });
});
