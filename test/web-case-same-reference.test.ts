// A report's reference is typed or pasted from the hotline's answer; pasting the previous case's reference went
// unnoticed, and the case file then pointed at another merchant's report. One report can cover several merchants (a
// network), so it is not refused: the page after the decision names the other cases with the same reference, to check.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a report's reference already on another case", { timeout: 60_000 }, () => {
  it("is named after the decision, with the other case, to check", async () => {
    const { db, auth, app } = await openWeb();
    const ann = await bearer(auth, "ann");
    const first = await recordCase(db, caseAlert({ alertId: "ref-1", merchantId: "acq-test:M-1" }));
    const second = await recordCase(db, caseAlert({ alertId: "ref-2", merchantId: "acq-test:M-2" }));
    for (const [id, ref] of [
      [first, "HL-0042"],
      [second, "HL-0042"],
    ] as const) {
      expect((await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: ann, payload: { action: "assign" } })).statusCode).toBe(200);
      const page = (await app.inject({ method: "GET", url: `/cases/${id}`, headers: ann })).body;
      const r = await app.inject({
        method: "POST",
        url: `/cases/${id}/action`,
        headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ ...decisionForm(page, "report")!, reportRef: ref, note: "" }).toString(),
      });
      expect(r.statusCode).toBe(303);
      const after = (await app.inject({ method: "GET", url: r.headers.location as string, headers: ann })).body.replace(/<[^>]+>/g, "").replace(/&#39;/g, "'");
      if (id === first) expect(after).not.toContain("is also the reference of");
      else expect(after).toContain(`HL-0042 is also the reference of case #${first} (acq-test:M-1): check that it is this case's`);
    }
  });
});
