// A case reopened kept its assignee: it came back open (not in review) yet "assigned to" whoever had closed it, maybe
// months before, so the Waiting line counted it as theirs and not among the unassigned, and the unassigned filter
// hid it, though nobody was working it. Reopening now puts it back in the queue as nobody's, as a new case: whoever
// takes it assigns it (open -> in review); the audit row of the reopen records whose it was.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a reopened case", { timeout: 60_000 }, () => {
  it("is nobody's: counted as unassigned, listed under unassigned, its former assignee in the trail", async () => {
    const { db, auth, app } = await openWeb();
    const id = await recordCase(db, caseAlert({ alertId: "reopen-1", merchantId: "acq-test:M-1" }));
    const rev = await bearer(auth, "rev");
    const ann = await bearer(auth, "ann");
    const act = (who: { authorization: string }, body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: who, payload: body });
    expect((await act(rev, { action: "assign" })).statusCode).toBe(200);
    expect((await act(rev, { action: "dismiss", reason: "duplicate" })).statusCode).toBe(200);
    const reopened = await act(ann, { action: "reopen", note: "new evidence from the hotline" });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ status: "open", assignee: null });

    const line = (who: { authorization: string }) =>
      app.inject({ method: "GET", url: "/cases", headers: who }).then((r) => /<p id="waiting">(.*?)<\/p>/s.exec(r.body)![1]!.replace(/<[^>]+>/g, ""));
    expect(await line(rev)).toBe("Waiting: 1 unassigned · 0 assigned to you · 0 escalated · 1 active in all.");
    const unassigned = (await app.inject({ method: "GET", url: "/api/cases?assignee=unassigned", headers: ann })).json<{ rows: { caseId: string }[] }>();
    expect(unassigned.rows.map((r) => r.caseId)).toEqual([id]);
    const trail = (await app.inject({ method: "GET", url: `/api/cases/${id}/audit`, headers: ann })).json<{ action: string; before: { assignee: string | null }; after: { assignee: string | null } }[]>();
    expect(trail.find((r) => r.action === "reopen")).toMatchObject({ before: { assignee: "rev" }, after: { assignee: null } });

    // taken again as any new case: in review, and its taker's
    expect((await act(ann, { action: "assign" })).json()).toMatchObject({ status: "in_review", assignee: "ann" });
  });
});
