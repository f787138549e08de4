// Any reviewer may act on a case assigned to a colleague (to cover an absence), but nothing said so: the page offered
// the decisions as on one's own case, and the audit row read like the assignee's own work unless one compared its
// actor with its before.assignee. The page now says whose case it is beside the decisions, and the row of an action
// taken on someone else's case names them (detail.assignedTo); acting is still allowed.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a case assigned to someone else", { timeout: 60_000 }, () => {
  it("says whose it is beside the decisions, and its audit row records it; the action is taken", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "others-1" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const act = (who: { authorization: string }, payload: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: who, payload });
    expect((await act(ann, { action: "assign" })).statusCode).toBe(200);

    const decide = (page: string) => page.slice(page.indexOf("<h2>Decide</h2>"), page.indexOf("</section>", page.indexOf("<h2>Decide</h2>")));
    const bobs = decide((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: bob })).body);
    expect(bobs).toContain("assigned to ann");
    expect(decide((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body)).not.toContain("assigned to ann");

    expect((await act(bob, { action: "escalate", note: "ann is away" })).statusCode).toBe(200);
    expect((await act(ann, { action: "report", reportRef: "HL-0042" })).statusCode).toBe(200);
    const rows = await db.query<{ actor: string; action: string; detail: Record<string, unknown> | null }>(
      "SELECT actor, action, detail FROM mt_audit WHERE case_id = $1::bigint AND action IN ('assign', 'escalate', 'report') ORDER BY audit_id",
      [caseId],
    );
    expect(rows.rows).toEqual([
      { actor: "ann", action: "assign", detail: null },
      { actor: "bob", action: "escalate", detail: { note: "ann is away", assignedTo: "ann" } },
      { actor: "ann", action: "report", detail: null },
    ]);
    // and the case page's trail says it in words
    const trail = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body.split('<table id="audit">')[1]!;
    expect(trail.split("<tr>").find((r) => r.includes("<td>escalate</td>"))).toContain("on the case of: ann");
  });
});
