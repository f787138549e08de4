// The case page's timeline held the alerts and the comments, not the decisions: a reviewer reading the case's story
// did not see in it that a colleague had escalated it (and why) between two alerts, only in the audit table below.
// Each decision is now on the timeline, with who, what it changed and its note; the header says when a closed case
// was closed.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

/** The timeline's rows as text: [when, what]. */
const timelineOf = (page: string): string[][] => {
  const start = page.indexOf('<table id="timeline"');
  return page
    .slice(start, page.indexOf("</table>", start))
    .split("<tr>")
    .slice(1)
    .map((r) => r.split("<td>").slice(1).map((c) => c.replace(/<[^>]+>/g, "").trim()));
};

describe("the case page's timeline", { timeout: 60_000 }, () => {
  it("has the decisions among the alerts and comments, in order, with who, what and why", async () => {
    const { db, auth, app } = await openWeb();
    // the alerts' times are the events', long before the decisions
    const caseId = await recordCase(db, caseAlert({ alertId: "tl-1", raisedAt: "2026-03-01T00:00:00Z" }));
    const ann = await bearer(auth, "ann");
    const act = (body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: body });
    expect((await act({ action: "assign" })).statusCode).toBe(200);
    expect((await act({ action: "escalate", note: "hotline asked" })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: ann, payload: { body: "waiting for the acquirer" } })).statusCode).toBe(201);
    expect((await act({ action: "dismiss", reason: "duplicate" })).statusCode).toBe(200);

    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    const what = timelineOf(page).map((r) => r[1]);
    expect(what).toHaveLength(5);
    expect(what[0]).toMatch(/^alert: score 80/);
    expect(what.slice(1)).toEqual([
      "assign by ann: status: open → in review; assignee: none → ann",
      "escalate by ann: status: in review → escalated; note: hotline asked",
      "comment by ann: waiting for the acquirer",
      "dismiss by ann: status: escalated → dismissed; dismissal reason: none → duplicate of another case",
    ]);
    const closedAt = (await db.query<{ at: string }>("SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at FROM mt_cases")).rows[0]!.at;
    expect(page.replace(/<[^>]+>/g, "")).toContain(`closed ${closedAt} UTC`);
  });
});
