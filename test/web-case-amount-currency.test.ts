// A case's evidence showed every amount as hundredths: a 500 JPY transaction (yen have no minor unit) read "5.00
// JPY", a hundredth of what was paid, and 1234 KWD fils (a thousandth) "12.34 KWD". An amount is now shown in its
// currency's minor unit as the runtime's CLDR data has it (as the rules' amounts are read): 2 digits for EUR, 0 for
// JPY, 3 for KWD; a currency that is not an ISO code, or none, as cents as before.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const tx = (eventId: string, amountMinor: number, currency?: string) => ({ eventId, type: "transaction" as const, occurredAt: "2026-03-01T00:00:00Z", amountMinor, ...(currency && { currency }) });

describe("an evidence event's amount", { timeout: 60_000 }, () => {
  it("is in its currency's whole units", async () => {
    const { db, auth, app } = await openWeb();
    const events = [tx("e-eur", 4870, "EUR"), tx("e-jpy", 500, "JPY"), tx("e-kwd", 1234, "KWD"), tx("e-odd", 250, "points"), tx("e-none", 990)];
    const caseId = await recordCase(db, caseAlert({ alertId: "amounts-1", context: { events, activity: [] } }));
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: await bearer(auth, "ann") })).body;
    const facts = (id: string) => new RegExp(`<tr id="ev-${id}">.*?</tr>`, "s").exec(page)?.[0].replace(/<[^>]+>/g, " ");
    expect(facts("e-eur")).toContain("48.70 EUR");
    expect(facts("e-jpy")).toContain("500 JPY");
    expect(facts("e-kwd")).toContain("1.234 KWD");
    expect(facts("e-odd")).toContain("2.50 points");
    expect(facts("e-none")).toContain("9.90");
  });
});
