// An action the case's status does not allow was refused naming the statuses it is allowed from (in_review,
// escalated), not what to do: a reviewer reporting an open case was not told to assign it first, nor one deciding
// on a closed case that it must be reopened. The refusal now says the next step.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("an action the case's status does not allow", { timeout: 60_000 }, () => {
  it("is refused with what to do instead", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "hint-1" }));
    const ann = await bearer(auth, "ann");
    const act = async (body: object) => {
      const r = await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: body });
      return { status: r.statusCode, error: (r.json() as { error?: string }).error };
    };

    // open: report, escalate and record the account's closure come after an assign
    for (const body of [{ action: "report", reportRef: "HL-1" }, { action: "escalate" }, { action: "close-account", terminationRef: "T-1" }]) {
      const r = await act(body);
      expect(r.status).toBe(409);
      expect(r.error).toMatch(/^cannot [a-z-]+ a case that is open; allowed from: [a-z_, ]+: assign it first \(Assign to me\), which puts it in review$/);
    }
    expect((await act({ action: "reopen", note: "why" })).error).toMatch(/: only a closed case is reopened; this one is open$/);

    expect((await act({ action: "assign" })).status).toBe(200);
    expect((await act({ action: "escalate" })).status).toBe(200);
    expect((await act({ action: "escalate" })).error).toMatch(/: it is escalated already$/);
    expect((await act({ action: "dismiss", reason: "duplicate" })).status).toBe(200);
    // closed: a decision needs the case reopened first
    expect((await act({ action: "report", reportRef: "HL-1" })).error).toMatch(/: it is closed \(dismissed\); reopen it first, with a note saying why, to decide again$/);
    expect((await act({ action: "dismiss", reason: "duplicate" })).error).toMatch(/: it is dismissed already; reopen it first/);
  });
});
