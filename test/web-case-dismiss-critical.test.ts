// A critical case is a listed site or identifier matched at high confidence. Dismissing one with a reason code and
// nothing else left an auditor no way to know why the match was let go: the note is now required for it, on the
// page's form and in the API; other cases keep the note optional.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("dismissing a critical case", { timeout: 60_000 }, () => {
  it("needs a note saying why the match does not hold; a high case does not", async () => {
    const { db, auth, app } = await openWeb();
    const critical = await recordCase(db, caseAlert({ alertId: "dismiss-critical", merchantId: "acq-test:M-CRIT", severity: "critical", score: 95 }));
    const high = await recordCase(db, caseAlert({ alertId: "dismiss-high", merchantId: "acq-test:M-HIGH", severity: "high", score: 70 }));
    const ann = await bearer(auth, "ann");
    const page = async (id: string) => (await app.inject({ method: "GET", url: `/cases/${id}`, headers: ann })).body;
    const act = (id: string, body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: ann, payload: body });

    const dismissForm = async (id: string) => /<p data-action="dismiss">(.*?)<\/p>/s.exec(await page(id))?.[1];
    // critical by its score (no indicator cited): asked about its signals (case-dismiss-critical-by-score.test.ts)
    // the note is the page's comment, which the dismissal takes
    expect(await dismissForm(critical)).toContain("a critical case: the comment says why the signals do not hold");
    expect(await dismissForm(high)).not.toContain("critical");

    const bare = await act(critical, { action: "dismiss", reason: "false-positive" });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toContain("write it in the note (on the case page: the Comment field) and dismiss again");
    expect((await act(critical, { action: "dismiss", reason: "false-positive", note: "the listed domain was re-registered by a bakery" })).json()).toMatchObject({ status: "dismissed" });
    expect((await act(high, { action: "dismiss", reason: "false-positive" })).json()).toMatchObject({ status: "dismissed" });
  });
});
