// Openings of a case within 10 minutes of the same user's earlier one were left out of the audit trail, whatever
// they were made with: after ann opened a case in her session, the same case opened with her leaked API token left
// no row, so ?token= did not list it; and "when did she see it" had only the first of her openings. Every opening
// is a row now, as every export already was: who saw the case, when, and with what. The page keeps one line per user.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("each opening of a case", { timeout: 60_000 }, () => {
  it("is a row of the audit trail, with what it was made with, however soon after the last", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "every-view-1" }));
    await auth.addUser(CONSOLE, { username: "ann", role: "reviewer", password: "ann-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'ann'");
    const leaked = await auth.createToken(CONSOLE, "ann", "tokalpha-script");
    const audra = await bearer(auth, "audra", "auditor");
    const session = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ann", password: "ann-password-long" } }));
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });

    expect((await get(`/cases/${caseId}`, session)).statusCode).toBe(200);
    expect((await get(`/api/cases/${caseId}`, { authorization: `Bearer ${leaked.token}` })).statusCode).toBe(200);
    expect((await get(`/cases/${caseId}`, session)).statusCode).toBe(200);

    const views = (await get(`/api/audit?action=case-view`, audra)).body.trim().split("\n").map((l) => JSON.parse(l) as { at: string; actor: string; caseId: string; credential: unknown; detail: unknown });
    expect(views.map((v) => [v.actor, v.caseId, v.credential, v.detail])).toEqual([
      ["ann", caseId, "session", { via: "page" }],
      ["ann", caseId, { token: leaked.id, name: "tokalpha-script" }, { via: "api" }],
      ["ann", caseId, "session", { via: "page" }],
    ]);
    // after a leak, the token's reads are found by it
    expect((await get(`/api/audit?token=${leaked.id}&action=case-view`, audra)).body).toContain('"via":"api"');

    // the page names who opened it and how often, this opening included (case-view-this-opening.test.ts), in one line
    // under the trail's table
    const page = (await get(`/cases/${caseId}`, session)).body;
    expect(page).toMatch(/<p id="case-views" class="muted">Opened by ann \(last [^)]*, 4 times\): each opening is a row of the audit trail, this one included \(its CSV, or the export's action case-view\)\.<\/p>/);
  });
});
