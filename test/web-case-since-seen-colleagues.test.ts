// "Since you last looked" counted new alerts only. A reviewer back from a day off, whose case a colleague escalated,
// handed over or commented on meanwhile, saw "No new alert since you last looked at this case" and nothing on the
// queue's row: the colleague's decision was in the timeline among the rest, unmarked. The queue (page and API) and the
// case page now say whose decisions and comments came in since, and the timeline marks them new. The reviewer's own
// actions are no news to them; reads (openings, exports, the trail's readers) are not listed.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

type Seen = { at: string; newAlerts: number; changes: { actor: string; action: string }[] } | null;

describe("what colleagues did since a reviewer last looked", { timeout: 60_000 }, () => {
  it("is said on the queue and the case page, and marked new in the timeline", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "seen-c-1" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    const post = (url: string, headers: Record<string, string>, payload: object) => app.inject({ method: "POST", url, headers, payload });
    const seen = async (headers: Record<string, string>) => (await get("/api/cases?status=all", headers)).json<{ rows: { seen: Seen }[] }>().rows[0]!.seen;
    const queueRow = async (headers: Record<string, string>) => /<tr data-case="\d+">.*?<\/tr>/s.exec((await get("/cases?status=all", headers)).body)![0];

    expect((await post(`/api/cases/${caseId}/actions`, ann, { action: "assign" })).statusCode).toBe(200);
    expect((await get(`/cases/${caseId}`, ann)).body).toMatch(/<p id="since-seen" class="muted">No new alert since you last looked/);
    expect(await seen(ann)).toMatchObject({ newAlerts: 0, changes: [] });

    // ann is away; bob escalates her case and comments, and opens it (a read: no news)
    expect((await post(`/api/cases/${caseId}/actions`, bob, { action: "escalate", note: "card burst grew" })).statusCode).toBe(200);
    expect((await post(`/api/cases/${caseId}/comments`, bob, { body: "asked the acquirer for the contract" })).statusCode).toBe(201);
    await get(`/cases/${caseId}`, bob);

    expect(await seen(ann)).toMatchObject({ newAlerts: 0, changes: [{ actor: "bob", action: "escalate" }, { actor: "bob", action: "comment" }] });
    expect((await queueRow(ann)).replace(/<[^>]+>/g, "")).toContain("bob escalated, bob commented since you last looked");
    // bob's own actions are no news to him
    expect(await seen(bob)).toMatchObject({ changes: [] });

    const page = (await get(`/cases/${caseId}`, ann)).body;
    const line = /<p id="since-seen" class="notice">(.*?)<\/p>/s.exec(page)?.[1];
    expect(line).toMatch(/^No new alert since you last looked at this case \(\d{4}-\d\d-\d\d [\d:]+ UTC\); bob escalated, bob commented, marked new in the timeline\.$/);
    expect(page).toMatch(/<strong class="new">new<\/strong> escalate by <strong>bob<\/strong>/);
    expect(page).toMatch(/<strong class="new">new<\/strong> comment by <strong>bob<\/strong>/);
    expect(page).not.toMatch(/<strong class="new">new<\/strong> assign by/);
    // read now: nothing new any more
    expect(await seen(ann)).toMatchObject({ changes: [] });
  });
});
