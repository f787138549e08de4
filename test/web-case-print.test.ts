// The printable case file, attached to a report: it said neither who printed it nor when (the JSON file has
// exportedBy and exportedAt), and its addresses' hashes were cut to 12 digits with the rest in a tooltip, which paper
// does not have, so a reader could not match an address to the JSON file or the audit trail. It now opens with who
// printed it and when, and gives each hash in full. Its chart's days are printed as a table (a folded one did not print).
import { describe, expect, it } from "vitest";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { urlHash } from "../src/cases/store.js";

const openWeb = embeddedWeb();
const FLAGGED = "https://gallery.flagged.example/album/1";

describe("the printable case file", { timeout: 60_000 }, () => {
  it("says who printed it and when, and gives each address's hash in full", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("print-1", FLAGGED));
    const ann = await bearer(auth, "ann");
    const r = await app.inject({ method: "GET", url: `/cases/${caseId}/print`, headers: ann });
    expect(r.statusCode).toBe(200);
    const text = r.body.replace(/<[^>]+>/g, "");
    const printed = /Case file printed by ann on (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(text);
    expect(printed, "the file says who printed it and when").not.toBeNull();
    // the same moment as the export's row in the audit trail, to the second
    const row = await db.query<{ at: string }>("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at FROM mt_audit WHERE action = 'export' AND actor = 'ann'");
    expect(printed![1]).toBe(row.rows[0]!.at);
    // the hash as text, in full; the address itself still not
    expect(text).toContain(urlHash(FLAGGED));
    expect(r.body).not.toContain(FLAGGED);

    // the page keeps the short form, with the whole one on hover
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body.replace(/<[^>]+>/g, "");
    expect(page).not.toContain(urlHash(FLAGGED));
  });

  it("prints the chart's days as a table, open: paper has no tooltips and cannot unfold", async () => {
    const { db, auth, app } = await openWeb();
    const alert = linkedToFlaggedAlert("print-2", FLAGGED);
    alert.context!.activity = [{ day: "2026-02-27", sales: 4, amountMinor: 400, chargebacks: 1 }];
    const caseId = await recordCase(db, alert);
    const ann = await bearer(auth, "ann");
    const print = (await app.inject({ method: "GET", url: `/cases/${caseId}/print`, headers: ann })).body;
    expect(print).toContain("<details open><summary>The same days as a table</summary>");
    // on the screen it stays folded under the chart
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    expect(page).toContain("<details><summary>The same days as a table</summary>");
  });
});
