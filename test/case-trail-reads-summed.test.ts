// A case's exports (its JSON and printable files, its sightings) and reveals of an address were rows among its
// decisions on the page and in GET /api/cases/:id, where its openings were one line per user ("Opened by ann (last
// …, 4 times)"): a script downloading a case buried the decisions, and each later read of it was slower. They are
// summed per user as openings are, a line each under the table and `exports` and `reveals` in the API (reveals are
// also listed one by one under it, test/case-page-reveals-listed.test.ts); the case's CSV keeps every row. Reads of
// the trail itself stay out of all of it (reviewers do not learn who audits them).
import { describe, expect, it } from "vitest";
import type { Openings } from "../src/cases/store.js";
import { when } from "../src/web/html.js";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a case's exports and reveals", { timeout: 60_000 }, () => {
  it("are one line per user on its page and one sum per user in its API, as its openings are; its CSV keeps every row", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("reads-summed-1", "https://flagged.example/shop"));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const audra = await bearer(auth, "audra", "auditor");
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign", note: "mine" } })).statusCode).toBe(200);
    for (const url of [`/cases/${caseId}/export.json`, `/api/cases/${caseId}/export`, `/cases/${caseId}/print`]) expect((await get(url, ann)).statusCode, url).toBe(200);
    const page0 = (await get(`/cases/${caseId}`, bob)).body;
    const revealed = /name="hash" value="(sha256:[0-9a-f]+)"/.exec(page0)![1]!;
    for (let i = 0; i < 2; i++)
      expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/reveal`, headers: bob, payload: { hash: revealed } })).statusCode).toBe(200);
    expect((await get(`/audit?case=${caseId}`, audra)).statusCode).toBe(200);

    const rows = async (actions: string[]) =>
      (await db.query<{ actor: string; at: Date }>("SELECT actor, at FROM mt_audit WHERE case_id = $1::bigint AND action = ANY($2::text[]) ORDER BY audit_id", [caseId, actions])).rows;
    const exports = await rows(["export", "export-sightings"]);
    const reveals = await rows(["reveal-url"]);
    expect([exports.length, reveals.length]).toEqual([3, 2]);

    const api = (await get(`/api/cases/${caseId}`, bob)).json() as { audit: { action: string }[]; exports: Openings; reveals: Openings };
    expect(api.exports).toEqual([{ actor: "ann", times: 3, last: exports[2]!.at.toISOString() }]);
    expect(api.reveals).toEqual([{ actor: "bob", times: 2, last: reveals[1]!.at.toISOString() }]);
    expect(api.audit.map((a) => a.action)).toEqual(["assign"]);

    const page = (await get(`/cases/${caseId}`, bob)).body;
    expect(/<p id="case-exports" class="muted">(.*?)<\/p>/.exec(page)![1]).toBe(
      `Exported by ann (last ${when(exports[2]!.at.toISOString())}, 3 times): each export (case file, printable file, sightings) is a row of the audit trail (its CSV: actions export and export-sightings).`,
    );
    // reveals are listed row by row, each with its address (test/case-page-reveals-listed.test.ts)
    expect(page).toContain("<caption>Addresses revealed: 2, newest first</caption>");
    const table = page.slice(page.indexOf('<table id="audit"'), page.indexOf("</table>", page.indexOf('<table id="audit"')));
    expect(table).toContain("<td>assign</td>");
    expect(table).not.toMatch(/<td>(export|reveal-url|case-view)<\/td>/);
    expect(page).not.toMatch(/audra|audit-export/);

    const csv = (await get(`/cases/${caseId}/audit.csv`, bob)).body;
    expect(csv.split("\n").filter((l) => l.includes('"export"')).length).toBe(3);
    expect(csv.split("\n").filter((l) => l.includes('"reveal-url"') && l.includes(revealed)).length).toBe(2);
    expect(csv).not.toContain("audra");
  });
});
