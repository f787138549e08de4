// The queue listed closed cases (status all, reported, dismissed, account closed) by status alone: a reviewer
// gathering the month's reports, or checking why a merchant was dismissed before, opened each case to read its
// reference or reason. The queue's status cell now carries the decision, as the case page says it.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the queue's closed cases", { timeout: 60_000 }, () => {
  it("say what was decided: the report's reference, the dismissal's reason", async () => {
    const { db, auth, app } = await openWeb();
    const ann = await bearer(auth, "ann");
    const reported = await recordCase(db, caseAlert({ alertId: "q-1", merchantId: "acq-test:M-1" }));
    const dismissed = await recordCase(db, caseAlert({ alertId: "q-2", merchantId: "acq-test:M-2" }));
    const act = async (id: string, body: object) =>
      expect((await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: ann, payload: body })).statusCode).toBe(200);
    await act(reported, { action: "assign" });
    await act(reported, { action: "report", reportRef: "HL-0042" });
    await act(dismissed, { action: "dismiss", reason: "legitimate-business" });

    const page = (await app.inject({ method: "GET", url: "/cases?status=all", headers: ann })).body;
    const rowText = (id: string) => (page.split("<tr").find((r) => r.includes(`data-case="${id}"`)) ?? "").replace(/<[^>]+>/g, "");
    expect(rowText(reported)).toContain("reported · reported as HL-0042");
    expect(rowText(dismissed)).toContain("dismissed · dismissed: legitimate business: explained by the merchant&#39;s actual trade");
  });
});
