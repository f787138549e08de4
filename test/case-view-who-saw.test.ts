// "Who saw case 42, and when?" An auditor reads the trail's export only (not the case's own trail, a reviewer's), and
// the export could not be narrowed to one case: she read every opening of every case and picked hers out. GET
// /api/audit takes ?case=<number> now, with the other filters (?action=case-view: its openings), read by the trail's
// index on case; a case that does not exist is 404, not an empty answer. The /audit page's form has the field.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("who saw a case", { timeout: 60_000 }, () => {
  it("is the export with ?case= and ?action=case-view: each opening, who, when, with what", async () => {
    const { db, auth, app } = await openWeb();
    const first = await recordCase(db, caseAlert({ alertId: "who-saw-1", merchantId: "acq-test:M-SAW1" }));
    const other = await recordCase(db, caseAlert({ alertId: "who-saw-2", merchantId: "acq-test:M-SAW2" }));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const audra = await bearer(auth, "audra", "auditor");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    for (const [id, who] of [[first, ann], [other, ann], [first, bob], [first, ann]] as const) expect((await get(`/cases/${id}`, who)).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${first}/actions`, headers: bob, payload: { action: "assign" } })).statusCode).toBe(200);

    const r = await get(`/api/audit?case=${first}&action=case-view`, audra);
    expect(r.statusCode, r.body).toBe(200);
    const rows = r.body.trim().split("\n").map((l) => JSON.parse(l) as { actor: string; caseId: string; action: string; at: string });
    expect(rows.map((x) => [x.actor, x.caseId, x.action])).toEqual([
      ["ann", first, "case-view"],
      ["bob", first, "case-view"],
      ["ann", first, "case-view"],
    ]);
    expect(rows.every((x) => /^\d{4}-\d\d-\d\dT/.test(x.at))).toBe(true);
    // the case's whole trail, its openings and its decisions, and the auditor's look into it just now
    const whole = (await get(`/api/audit?case=${first}`, audra)).body.trim().split("\n").map((l) => JSON.parse(l) as { actor: string; action: string });
    expect(whole.map((x) => x.action)).toEqual(["case-view", "case-view", "case-view", "assign", "audit-export"]);
    expect(whole.at(-1)!.actor).toBe("audra");
    // a case that is not there, or not a case's number, is refused, not an empty answer
    expect((await get("/api/audit?case=999", audra)).statusCode).toBe(404);
    const bad = await get("/api/audit?case=M-SAW1", audra);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe("case: a case's number, as its page's title gives it (Case #42): e.g. ?case=42");
    // the /audit page's form has the field
    expect((await get("/audit", audra)).body).toMatch(/<label>Case number <input name="case"/);
  });
});
