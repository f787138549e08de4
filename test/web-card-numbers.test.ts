// A card number (PAN) in text a reviewer reads: the merchant's legal name or descriptor (a producer that pasted a
// card number into one; the contract carries card tokens only), or a comment a reviewer typed. The case page, the
// printable file, the case API and the case's audit trail showed it in full, where PCI DSS lets a display show at
// most its first six and last four digits. They now show it so (400012******9017).
import { describe, expect, it } from "vitest";
import { merchantTextAlert, recordCase } from "./helpers/cases.js";
import { syntheticPan } from "./helpers/card-numbers.js";
import { bearer, caseViews, embeddedWeb } from "./helpers/web.js";

const PAN = syntheticPan("400012345678901");
const GROUPED = PAN.replace(/(\d{4})(?=\d)/g, "$1 ");
const SHOWN = `400012******${PAN.slice(-4)}`;

const openWeb = embeddedWeb();

describe("a card number in a case's text", { timeout: 60_000 }, () => {
  it("is shown truncated on the case page, the printable file, the case API and the case's audit trail", async () => {
    const { db, auth, app } = await openWeb();
    const own = { legalName: `Canal Studio BV card ${GROUPED}`, descriptor: `CANAL*${PAN}`, websites: ["https://canal-studio.example/"] };
    const caseId = await recordCase(db, merchantTextAlert("card-number-1", own, `CANAL PAN ${PAN}`));
    const headers = await bearer(auth, "rev");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers, payload: { body: `customer quoted card ${PAN} on the phone` } })).statusCode).toBe(201);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers, payload: { action: "assign", note: `card ${GROUPED}` } })).statusCode).toBe(200);
    for (const url of caseViews(caseId)) {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).not.toContain(PAN);
      expect(r.body, url).not.toContain(GROUPED);
    }
    const api = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers })).json();
    expect(api.context.profile.legalName).toBe(`Canal Studio BV card ${SHOWN}`);
    expect(api.context.profile.descriptor).toBe(`CANAL*${SHOWN}`);
    expect(api.context.events[0].descriptor).toBe(`CANAL PAN ${SHOWN}`);
    expect(api.comments[0].body).toBe(`customer quoted card ${SHOWN} on the phone`);
    expect(api.audit.find((a: { action: string }) => a.action === "assign").detail).toEqual({ note: `card ${SHOWN}` });
  });
});
