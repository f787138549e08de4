// Text the merchant wrote (its legal name, its descriptor on the profile and on a transaction) may hold an address:
// a descriptor carrying the shop's URL is common. The case page, the printable file and the case API showed such an
// address in full, where every other address from the evidence is shown as host and SHA-256 until an audited
// reveal. It is now masked the same way (the JSON case file, an audited export, keeps the text as written).
import { describe, expect, it } from "vitest";
import { urlHash } from "../src/cases/store.js";
import { merchantTextAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const SHOP = "https://gallery.flagged.example/p/1";
const JOIN = "https://pay.other.example/join?ref=9";

const openWeb = embeddedWeb();

describe("an address inside the merchant's own text", { timeout: 60_000 }, () => {
  it("is shown as host and hash on the case page, the printable file and the case API", async () => {
    const { db, auth, app } = await openWeb();
    const profile = { legalName: `Gallery Ltd (members: ${JOIN})`, descriptor: `GALLERY*${SHOP}`, websites: [SHOP] };
    const caseId = await recordCase(db, merchantTextAlert("merchant-text-1", profile, `GLRY ${JOIN} 555-0100`));
    const headers = await bearer(auth, "rev");
    for (const url of [`/cases/${caseId}`, `/cases/${caseId}/print`, `/api/cases/${caseId}`]) {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).not.toContain("flagged.example/p/1");
      expect(r.body, url).not.toContain("/join?ref");
      expect(r.body, url).toContain(urlHash(JOIN));
    }
    const api = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers })).json();
    expect(api.context.profile.descriptor).toBe(`GALLERY*gallery.flagged.example ${urlHash(SHOP)}`);
    expect(api.context.profile.legalName).toBe(`Gallery Ltd (members: pay.other.example ${urlHash(JOIN)})`);
    expect(api.context.events[0].descriptor).toBe(`GLRY pay.other.example ${urlHash(JOIN)} 555-0100`);
    expect(api.alerts[0].context.profile.descriptor).toBe(api.context.profile.descriptor);
    // the audited export keeps what the merchant wrote
    const file = (await app.inject({ method: "GET", url: `/cases/${caseId}/export.json`, headers })).json();
    expect(file.merchant.descriptor).toBe(profile.descriptor);
  });
});
