// After a token leak an auditor reading GET /api/audit must find every action taken with that token: audit rows said
// who acted but not whether from a browser session or with an API token (and which). Each row of a signed-in user's
// action now carries credential: "session", or the token's id and name (never its secret); the case page's
// audit table says it beside who acted.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the credential an action was taken with", { timeout: 60_000 }, () => {
  it("is in each audit row: a token's id and name, or the session", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "credential-1" }));
    await auth.addUser(CONSOLE, { username: "ann", role: "reviewer", password: "ann-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'ann'");
    const script = await auth.createToken(CONSOLE, "ann", "tokalpha-script");
    const byToken = { authorization: `Bearer ${script.token}` };
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    const admin = { authorization: `Bearer ${(await auth.createToken(CONSOLE, "ada", "siem")).token}` };

    expect((await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: byToken })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: byToken, payload: { action: "assign" } })).statusCode).toBe(200);
    const session = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ann", password: "ann-password-long" } }));
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: session })).body;
    const comment = await app.inject({ method: "POST", url: `/cases/${caseId}/comment`, headers: session, payload: { _csrf: csrfOf(page), body: "checked by hand" } });
    expect(comment.statusCode).toBe(303);

    const exported = await app.inject({ method: "GET", url: "/api/audit", headers: admin });
    expect(exported.body).not.toContain(script.token);
    const rows = exported.body.trim().split("\n").map((l) => JSON.parse(l) as { actor: string; action: string; credential: unknown });
    const token = { token: script.id, name: "tokalpha-script" };
    expect(rows.filter((r) => r.actor === "ann").map((r) => [r.action, r.credential])).toEqual([
      ["case-view", token],
      ["assign", token],
      ["login", "session"],
      // her page, opened in the session soon after the token's read: every opening is a row
      ["case-view", "session"],
      ["comment", "session"],
    ]);
    // the admin's own export, made with its token, says so too
    const again = (await app.inject({ method: "GET", url: "/api/audit", headers: admin })).body.trim().split("\n").map((l) => JSON.parse(l) as { action: string; credential: unknown });
    expect(again.find((r) => r.action === "audit-export")?.credential).toMatchObject({ name: "siem" });

    // the case page's trail says it beside who acted, not as a detail
    const trail = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: session })).body.split('<table id="audit">')[1]!;
    const assign = trail.split("<tr>").find((r) => r.includes("<td>assign</td>"))!;
    expect(assign).toContain(`with API token tokalpha-script (${script.id})`);
    expect(assign).not.toContain("credential");
    const commented = trail.split("<tr>").find((r) => r.includes("<td>comment</td>"))!;
    expect(commented).toContain("in a signed-in session");
    // and the case's CSV has it as its last column
    const csv = (await app.inject({ method: "GET", url: `/cases/${caseId}/audit.csv`, headers: session })).body.trim().split("\n");
    expect(csv[0]!.endsWith(",detail,credential")).toBe(true);
    expect(csv.find((l) => l.includes('"assign"'))!.endsWith(`"{""name"":""tokalpha-script"",""token"":""${script.id}""}"`)).toBe(true);
  });
});
