// A decision refused because the case changed since its page was loaded said "it is now assigned to ann (was
// unassigned)" to ann herself, when the change was her own (another tab, or the form sent twice): she read it as a
// colleague's doing. The refusal says "you" for the reviewer who sent the decision.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a decision refused over the reviewer's own change", { timeout: 60_000 }, () => {
  it("says the case is now assigned to you, and names a colleague as before", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "stale-you-1" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const etag = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: ann })).headers.etag as string;
    const act = (headers: Record<string, string>, body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: { ...headers, "if-match": etag }, payload: body });

    expect((await act(ann, { action: "assign" })).statusCode).toBe(200);
    const own = await act(ann, { action: "assign" });
    expect(own.statusCode).toBe(409);
    expect(own.json().changed).toEqual(["it is now in review (was open)", "it is now assigned to you (ann) (was unassigned)"]);
    const other = await act(bob, { action: "dismiss", reason: "duplicate" });
    expect(other.statusCode).toBe(409);
    expect(other.json().changed).toEqual(["it is now in review (was open)", "it is now assigned to ann (was unassigned)"]);
  });
});
