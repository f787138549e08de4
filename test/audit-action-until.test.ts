// "Every dismissal in March", "who opened case 42 last week": the export took a start (?since=) but no end, so a
// period's rows came with everything after it, up to the trail's present. ?until= (ISO 8601 with its zone; rows
// before it) closes the period, with the other filters; the /audit form has the field.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("GET /api/audit?until=", { timeout: 60_000 }, () => {
  it("gives the rows before that time, with since a period; a time without its zone is refused", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "until-1" }));
    const ann = await bearer(auth, "ann");
    const audra = await bearer(auth, "audra", "auditor");
    for (const path of [`/cases/${caseId}`, `/api/cases/${caseId}`, `/cases/${caseId}`]) expect((await app.inject({ method: "GET", url: path, headers: ann })).statusCode).toBe(200);
    const audit = (q: string) => app.inject({ method: "GET", url: `/api/audit${q}`, headers: audra });
    const views = (await audit("?action=case-view")).body.trim().split("\n").map((l) => JSON.parse(l) as { auditId: string; at: string });
    expect(views).toHaveLength(3);
    const [first, second, third] = views;
    // rows before `until`: the second opening's time ends the period before it
    const before = await audit(`?action=case-view&until=${encodeURIComponent(second!.at)}`);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.body.trim().split("\n").map((l) => (JSON.parse(l) as { auditId: string }).auditId)).toEqual([first!.auditId]);
    const period = await audit(`?action=case-view&since=${encodeURIComponent(second!.at)}&until=${encodeURIComponent(third!.at)}`);
    expect(period.body.trim().split("\n").map((l) => (JSON.parse(l) as { auditId: string }).auditId)).toEqual([second!.auditId]);
    const bad = await audit("?until=2026-12-07T09:00:00");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe("until: a time in ISO 8601 with its zone (Z or an offset), the rows before it: e.g. ?until=2026-12-08T00:00:00Z");
    expect((await app.inject({ method: "GET", url: "/audit", headers: audra })).body).toMatch(/<label>Until [^<]*<input name="until"/);
  });
});
