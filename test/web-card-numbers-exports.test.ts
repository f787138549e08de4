// The case file (JSON, GET /cases/:id/export.json and /api/cases/:id/export) and the admins' audit export
// (GET /api/audit) keep what was written, addresses included, for a report to the authorities; a card number (PAN)
// in the merchant's text, an address's query or a reviewer's comment went with them in full. A file that leaves the
// service is PAN storage outside the bank's card data environment: they now carry it truncated to its first six and
// last four digits, as the case page shows it; everything else is as written.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { syntheticPan } from "./helpers/card-numbers.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const PAN = syntheticPan("400012345678901");
const SHOWN = `400012******${PAN.slice(-4)}`;
const CHECKOUT = `https://canal-studio.example/checkout?card=${PAN}`;

const openWeb = embeddedWeb();

describe("a card number in an export", { timeout: 60_000 }, () => {
  it("is truncated in the case file and the audit export; the rest is as written", async () => {
    const { db, auth, app } = await openWeb();
    const profile = {
      acquirerId: "acq-test",
      legalName: "Canal Studio BV",
      descriptor: `CANAL*${PAN}`,
      mcc: "5967",
      country: "NL",
      websites: ["https://canal-studio.example/"],
      principals: [],
      wallets: [],
      infrastructure: { ips: [], analyticsIds: [] },
    };
    const caseId = await recordCase(
      db,
      caseAlert({
        alertId: "card-export-1",
        context: { profile, events: [{ eventId: "e-1", type: "transaction", occurredAt: "2026-03-01T00:00:00Z", amountMinor: 100, currency: "EUR", checkoutUrl: CHECKOUT }], activity: [] },
      }),
    );
    const rev = await bearer(auth, "rev");
    const adm = await bearer(auth, "adm", "admin");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: rev, payload: { body: `customer quoted card ${PAN}` } })).statusCode).toBe(201);
    for (const [url, headers] of [[`/cases/${caseId}/export.json`, rev], [`/api/cases/${caseId}/export`, rev], ["/api/audit", adm]] as const) {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).not.toContain(PAN);
    }
    const file = (await app.inject({ method: "GET", url: `/cases/${caseId}/export.json`, headers: rev })).json();
    expect(file.merchant.descriptor).toBe(`CANAL*${SHOWN}`);
    expect(file.merchant.websites).toEqual(["https://canal-studio.example/"]);
    expect(file.evidence[0].checkoutUrl).toBe(`https://canal-studio.example/checkout?card=${SHOWN}`);
    expect(file.comments[0].body).toBe(`customer quoted card ${SHOWN}`);
    const audit = (await app.inject({ method: "GET", url: "/api/audit", headers: adm })).body.trim().split("\n").map((l) => JSON.parse(l));
    expect(audit.find((a: { action: string }) => a.action === "comment").after).toMatchObject({ body: `customer quoted card ${SHOWN}` });
  });
});
