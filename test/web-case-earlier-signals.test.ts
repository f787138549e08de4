// A case lists every typology its alerts named, but "Why this merchant is here" showed the latest alert's signals
// only: a merchant alerted for card testing and later for disputes (the burst gone from its window) read as
// "card-testing" in the queue with no card-testing signal on its page or in its printable file. The table now holds
// each rule's latest signal from any of the case's alerts, saying which came from an earlier alert.
import { describe, expect, it } from "vitest";
import { caseAlert, record, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("why a merchant is here", { timeout: 60_000 }, () => {
  it("lists the signals of earlier alerts that the latest one no longer carries, marked as such", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(
      db,
      caseAlert({
        alertId: "earlier-1",
        score: 60,
        typologies: ["card-testing"],
        signals: [{ rule: "card-testing", version: "v1", kind: "test-transactions", value: 40, threshold: 20, explanation: "40 small authorisations on 30 cards in 10 minutes", evidence: { eventIds: [] } }],
      }),
    );
    await record(db, caseAlert({ alertId: "earlier-2", raisedAt: "2026-03-04T00:00:00Z" }));
    const headers = await bearer(auth, "ann");
    for (const url of [`/cases/${caseId}`, `/cases/${caseId}/print`]) {
      const page = (await app.inject({ method: "GET", url, headers })).body;
      const table = page.slice(page.indexOf('<table id="signals"'), page.indexOf("</table>", page.indexOf('<table id="signals"')));
      expect(table).toContain("early-warning-disputes");
      expect(table).toContain("40 small authorisations on 30 cards in 10 minutes");
      expect(table).toMatch(/card-testing<br>.*?from the earlier alert earlier-1 of 2026-03-01 00:00:00 UTC, not in the latest/s);
      // the latest alert's own signal is not marked
      expect(/<tr><td>early-warning-disputes<br>.*?<\/tr>/s.exec(table)![0]).not.toContain("from the earlier");
    }
  });
});
