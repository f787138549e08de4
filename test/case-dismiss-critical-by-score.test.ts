// A case is critical when a listed site or identifier matched at high confidence, or when its signals score at the
// rule set's critical level (the default pack's 90: a merchant with 3% chargebacks and four descriptors in a month).
// Its dismissal needs a note, but the form asked every critical case "why the match does not hold", and the refusal
// said it was critical because "an indicator matched at high confidence": a reviewer dismissing a chargeback case
// looked for a match that is not there. The form asks about the match only when the case cites indicators, and the
// refusal names both ways a case becomes critical.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("dismissing a case critical by its score", { timeout: 60_000 }, () => {
  it("asks why the signals do not hold, and a refusal says how the case became critical", async () => {
    const { db, auth, app } = await openWeb();
    const byScore = await recordCase(db, caseAlert({ alertId: "crit-score", merchantId: "acq-test:M-SCORE", severity: "critical", score: 95 }));
    const listed = await recordCase(
      db,
      caseAlert({
        alertId: "crit-listed",
        merchantId: "acq-test:M-LISTED",
        severity: "critical",
        score: 85,
        typologies: ["listed-identifier"],
        signals: [
          {
            rule: "listed-identifier",
            version: "v1",
            kind: "listed-identifier",
            value: 90,
            threshold: 50,
            explanation: "payout account on an indicator list",
            evidence: { eventIds: [], indicators: [{ set: "set-test", id: "ind-1", source: "member:test", confidence: 90 }] },
          },
        ],
      }),
    );
    const ann = await bearer(auth, "ann");
    const dismissForm = async (id: string) => /<p data-action="dismiss">(.*?)<\/p>/s.exec((await app.inject({ method: "GET", url: `/cases/${id}`, headers: ann })).body)?.[1];
    // the note is the page's comment, which the dismissal takes
    expect(await dismissForm(byScore)).toContain("a critical case: the comment says why the signals do not hold");
    expect(await dismissForm(listed)).toContain("a critical case: the comment says why the match does not hold");

    const bare = await app.inject({ method: "POST", url: `/api/cases/${byScore}/actions`, headers: ann, payload: { action: "dismiss", reason: "legitimate-business" } });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error).toBe(
      "note: a critical case (a listed site or identifier matched at high confidence, or signals scoring at the critical level) is dismissed only with a note saying why the match or the signals do not hold; write it in the note (on the case page: the Comment field) and dismiss again",
    );
  });
});
