// A reviewer new to the case page opened a case that nobody had taken and found no Escalate, Mark reported or
// Record account closed: only Assign to me and Dismiss, and nothing saying why (a refusal said it, to whom sent
// one through the API). An open case's page now says which decisions come once it is in review, and how it gets there.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("an open case's page", { timeout: 60_000 }, () => {
  it("says which decisions come once the case is in review, and how it gets there", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "open-later-1" }));
    const ann = await bearer(auth, "ann");
    const page = async () => (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    const later = '<p class="muted" id="decide-later">Escalate, Mark reported, Record account closed: once the case is in review, which Assign to me';
    expect(await page()).toContain(`${later} puts it in.</p>`);
    await bearer(auth, "bob");
    expect(await page()).toContain(`${later} or Hand over puts it in.</p>`);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign" } })).statusCode).toBe(200);
    expect(await page()).not.toContain('id="decide-later"');
  });
});
