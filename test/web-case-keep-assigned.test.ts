// A case in review with its reviewer offered them "Keep assigned to me", which did nothing but write an assign row
// that changed nothing and make every colleague's open page of the case out of date ("it was acted on at …"). The
// page no longer offers it to the case's assignee; an assign that changed nothing (through the API) reads so on the
// timeline.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a case assigned to the reviewer reading it", { timeout: 60_000 }, () => {
  it("does not offer to assign it to them again", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "keep-1" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const page = async (who: { authorization: string }) => (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: who })).body;
    const act = (body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: body });
    expect((await act({ action: "assign" })).statusCode).toBe(200);

    expect(decisionForm(await page(ann), "assign")).toBeUndefined();
    expect(decisionForm(await page(ann), "escalate")).toBeDefined();
    // a colleague can still take it over
    expect(await page(bob)).toContain(">Assign to me</button>");

    expect((await act({ action: "assign" })).statusCode).toBe(200);
    const text = (await page(ann)).replace(/<[^>]+>/g, "");
    expect(text).toContain("assign by ann: nothing changed");
  });
});
