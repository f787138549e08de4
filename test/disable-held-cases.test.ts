// Off-boarding a reviewer who left: Disable signed them out and revoked their tokens, and said nothing of the cases
// they were working, which stayed assigned to someone who would never open them again (the queue still showed their
// name, and nobody was told to hand them over). The answer (activeCases, when there are any) and the admin page now
// say how many active cases the user holds and where to find them, to be assigned to someone else.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { CaseStore } from "../src/cases/store.js";
import { PERMISSIONS } from "../src/web/auth.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { csrfOf, embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("disabling a reviewer", { timeout: 60_000 }, () => {
  it("says how many active cases they hold and where to find them to hand over", async () => {
    const { db, auth, app } = await openWeb();
    for (const name of ["rita", "rob"]) await auth.addUser(CONSOLE, { username: name, role: "reviewer", password: `${name}-password-long` });
    await auth.addUser(CONSOLE, { username: "ada", role: "admin", password: "ada-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const store = new CaseStore(db, PERMISSIONS["cases:act"]);
    const held = await recordCase(db, caseAlert({ alertId: "held-1", merchantId: "m-held-1" }));
    const escalated = await recordCase(db, caseAlert({ alertId: "held-2", merchantId: "m-held-2" }));
    const done = await recordCase(db, caseAlert({ alertId: "held-3", merchantId: "m-held-3" }));
    const rita = { username: "rita", role: "reviewer" as const };
    for (const id of [held, escalated, done]) await store.act(id, rita, { action: "assign" });
    await store.act(escalated, rita, { action: "escalate" });
    await store.act(done, rita, { action: "dismiss", reason: "duplicate" });
    await store.act(held, { username: "rob", role: "reviewer" }, { action: "assign", assignee: "rob" });
    await store.act(held, { username: "rob", role: "reviewer" }, { action: "assign", assignee: "rita" });

    const admin = { authorization: `Bearer ${(await auth.createToken(CONSOLE, "ada", "t")).token}` };
    const r = await app.inject({ method: "PATCH", url: "/api/users/rita", headers: admin, payload: { disabled: true } });
    expect(r.json()).toEqual({ username: "rita", role: "reviewer", disabled: true, activeCases: 2 });

    await app.inject({ method: "PATCH", url: "/api/users/rita", headers: admin, payload: { disabled: false } });
    const s = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "ada", password: "ada-password-long" } }));
    const page = await app.inject({ method: "GET", url: "/admin", headers: s });
    const form = await app.inject({
      method: "POST",
      url: "/admin/users/rita",
      headers: { ...s, "content-type": "application/x-www-form-urlencoded" },
      payload: `_csrf=${csrfOf(page.body)}&disabled=true`,
    });
    expect(form.body).toContain("rita is the assignee of 2 active cases: a reviewer assigns them to someone else (the queue filtered by assignee: /cases?assignee=rita)");
    // a user who holds no active case: nothing said
    const rob = await app.inject({ method: "PATCH", url: "/api/users/rob", headers: admin, payload: { disabled: true } });
    expect(rob.json()).toEqual({ username: "rob", role: "reviewer", disabled: true });
  });
});
