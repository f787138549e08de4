// The queue said how many cases matched its filters ("12 cases · page 1 of 1"), not what was waiting: filtered to
// one's own cases, or on page 3, a reviewer starting a shift could not see how many were still nobody's, how many of
// those critical, or what was escalated. The queue page now says so above its filters, whatever they are, each
// count a link to the cases it counts.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the queue page", { timeout: 60_000 }, () => {
  it("says what is waiting: unassigned (critical among them), yours, escalated", async () => {
    const { db, auth, app } = await openWeb();
    const id = async (n: number, severity: "critical" | "high" = "high") => recordCase(db, caseAlert({ alertId: `w-${n}`, merchantId: `acq-test:M-${n}`, severity }));
    const a = await id(1, "critical");
    await id(2, "critical");
    const c = await id(3);
    const d = await id(4);
    await id(5);
    const rev = await bearer(auth, "rev");
    const bob = await bearer(auth, "bob");
    const act = (who: { authorization: string }, caseId: string, body: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: who, payload: body });
    expect((await act(rev, a, { action: "assign" })).statusCode).toBe(200);
    expect((await act(bob, c, { action: "assign" })).statusCode).toBe(200);
    expect((await act(bob, c, { action: "escalate" })).statusCode).toBe(200);
    expect((await act(bob, d, { action: "dismiss", reason: "duplicate" })).statusCode).toBe(200);

    // filtered to one merchant's cases, the line still counts the whole queue
    const page = (await app.inject({ method: "GET", url: "/cases?merchant=acq-test:M-1&status=all", headers: rev })).body;
    const line = /<p id="waiting">(.*?)<\/p>/s.exec(page)?.[1];
    expect(line).toBeDefined();
    const text = line!.replace(/<[^>]+>/g, "");
    // 2 and 5 are nobody's (2 critical); 1 is rev's; 3 is escalated (bob's); 4 is closed
    expect(text).toBe("Waiting: 2 unassigned (1 critical) · 1 assigned to you · 1 escalated · 4 active in all.");
    expect(line).toContain('<a href="/cases?status=active&amp;assignee=unassigned">2 unassigned</a>');
    expect(line).toContain('<a href="/cases?status=active&amp;assignee=rev">1 assigned to you</a>');
    expect(line).toContain('<a href="/cases?status=escalated">1 escalated</a>');
  });
});
