// The case page's "Opened by" line and GET /api/cases/:id's audit were read before the opening that served them was
// recorded: a reviewer opening a case for the first time saw no "Opened by" line at all, and after that the count was
// one short of the trail's (the page said 3 times where an auditor's ?case=&action=case-view listed 4). The opening
// is recorded first now, and the case read after it in the same transaction: the page, the API and the trail agree,
// and the page says that the count includes this opening.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { when } from "../src/web/html.js";

const openWeb = embeddedWeb();

interface Row {
  auditId: string;
  at: string;
  actor: string;
  action: string;
  detail: unknown;
}

describe("the case page's count of openings", { timeout: 60_000 }, () => {
  it("includes this opening, as the audit trail does, on the page and in the API", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "this-opening-1" }));
    const ann = await bearer(auth, "ann");
    const audra = await bearer(auth, "audra", "auditor");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    const trail = async () =>
      (await get(`/api/audit?case=${caseId}&action=case-view`, audra)).body
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Row);
    const line = (page: string) => /<p id="case-views"[^>]*>(.*?)<\/p>/s.exec(page)?.[1];

    // the first opening: the trail has one row, and the page says so
    const first = (await get(`/cases/${caseId}`, ann)).body;
    const rows1 = await trail();
    expect(rows1.map((r) => r.actor)).toEqual(["ann"]);
    expect(line(first)).toBe(`Opened by ann (last ${when(rows1[0]!.at)}): each opening is a row of the audit trail, this one included (its CSV, or the export's action case-view).`);

    // three more: the page counts four, as the trail lists four, and its last is the trail's last
    await get(`/cases/${caseId}`, ann);
    await get(`/cases/${caseId}`, ann);
    const fourth = (await get(`/cases/${caseId}`, ann)).body;
    const rows4 = await trail();
    expect(rows4).toHaveLength(4);
    expect(line(fourth)).toMatch(new RegExp(`^Opened by ann \\(last ${when(rows4[3]!.at)}, 4 times\\):`));

    // the API's openings count its own, the trail's last row (its openings are summed: case-trail-openings-summed)
    const api = (await get(`/api/cases/${caseId}`, ann)).json() as { audit: Row[]; openings: unknown };
    const rows5 = await trail();
    expect(rows5).toHaveLength(5);
    expect(rows5[4]).toMatchObject({ actor: "ann", detail: { via: "api" } });
    expect(api.openings).toEqual([{ actor: "ann", times: 5, last: rows5[4]!.at }]);

    // a page that is no opening (a refused decision's page) records none and does not say "this one"
    const refused = await app.inject({ method: "POST", url: `/cases/${caseId}/action`, headers: ann, payload: { action: "report" } });
    expect(refused.statusCode).toBe(400);
    expect(await trail()).toHaveLength(5);
    expect(line(refused.body)).toMatch(/^Opened by ann \(last [^)]*, 5 times\): each opening is a row of the audit trail \(its CSV/);

    // a case that is not there: 404, and no row
    expect((await get("/cases/999", ann)).statusCode).toBe(404);
    expect((await get("/api/cases/999", ann)).statusCode).toBe(404);
    expect((await db.query("SELECT 1 FROM mt_audit WHERE action = 'case-view'")).rows).toHaveLength(5);
  });
});
