// A reviewer back the next day could not tell which cases got new alerts since they last looked: the queue's Updated
// time moves for any change by anyone, and a case's timeline dates its alerts by the events' time, not by when they
// came in. The queue now says, on each case the reviewer looked at before (opened it, or acted on it), how many
// alerts came in since; the case page says when they last looked and marks those alerts new in the timeline. The
// opening that shows them is recorded (as every opening is), so the mark goes once read.
import { describe, expect, it } from "vitest";
import { caseAlert, record, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("what came in since a reviewer last looked", { timeout: 60_000 }, () => {
  it("is counted on the queue and marked on the case page, for the reviewer who looked", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "seen-1" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    const row = async (headers: Record<string, string>) => (await get("/api/cases", headers)).json<{ rows: { caseId: string; seen: { at: string; newAlerts: number } | null }[] }>().rows[0]!;
    const queueCell = async (headers: Record<string, string>) => /<tr data-case="\d+">.*?<\/tr>/s.exec((await get("/cases", headers)).body)![0];

    expect((await row(ann)).seen).toBeNull();
    const first = (await get(`/cases/${caseId}`, ann)).body;
    expect(first).not.toContain('id="since-seen"');
    expect((await row(ann)).seen).toMatchObject({ newAlerts: 0 });

    // the next day: a new alert on the case (its raisedAt is the event's time, earlier than the reviewer's look)
    await record(db, caseAlert({ alertId: "seen-2", raisedAt: "2026-03-02T00:00:00Z", score: 85 }));
    expect((await row(ann)).seen).toMatchObject({ newAlerts: 1 });
    expect(await queueCell(ann)).toContain("1 new alert since you last looked");
    // bob never opened it: nothing is new to him, the whole case is
    expect((await row(bob)).seen).toBeNull();
    expect(await queueCell(bob)).not.toContain("since you last looked");

    const again = (await get(`/cases/${caseId}`, ann)).body;
    expect(again).toMatch(/<p id="since-seen" class="notice">1 new alert since you last looked at this case \(\d{4}-\d\d-\d\d [\d:]+ UTC\), marked new in the timeline\.<\/p>/);
    expect(again).toMatch(/<strong class="new">new<\/strong> alert: score 85/);
    expect(again).not.toMatch(/<strong class="new">new<\/strong> alert: score 80/);
    // read now, a moment after the first look: not new any more
    expect((await row(ann)).seen).toMatchObject({ newAlerts: 0 });
    expect(await queueCell(ann)).not.toContain("since you last looked");
  });
});
