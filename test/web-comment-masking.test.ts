// An evidence address a reviewer pastes into a comment or a decision's note (after revealing it, for the hotline's
// report) is shown to the next reviewer as host and hash, as everywhere else on the case page, the printable case
// file, the case's audit trail and the case API: reading a colleague's comment is not an unrecorded reveal (the JSON
// case file alone holds full addresses). Other addresses (the hotline's
// own report page) stay as written.
import { describe, expect, it } from "vitest";
import { urlHash } from "../src/cases/store.js";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { bearer, caseViews, embeddedWeb } from "./helpers/web.js";

const FLAGGED = "https://gallery.flagged.example/p/1";
const HOTLINE = "https://report.hotline.example/case/4711";

const openWeb = embeddedWeb();

describe("an evidence address in a reviewer's comment or note", { timeout: 60_000 }, () => {
  it("is masked on the case page, the printable file, the case's audit trail (CSV, JSON) and the case API; another address is not", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("comment-mask-1", FLAGGED));
    const headers = await bearer(auth, "rev");
    const post = (url: string, payload: object) => app.inject({ method: "POST", url, headers, payload });

    // pasted as revealed, and typed again with the host in capitals (the same address)
    expect((await post(`/api/cases/${caseId}/comments`, { body: `reported ${FLAGGED} to the hotline: ${HOTLINE}` })).statusCode).toBe(201);
    expect((await post(`/api/cases/${caseId}/actions`, { action: "assign", note: "starting with HTTPS://GALLERY.FLAGGED.EXAMPLE/p/1" })).statusCode).toBe(200);

    const hash = urlHash(FLAGGED);
    for (const url of caseViews(caseId)) {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, url).toBe(200);
      expect(r.body.toLowerCase(), url).not.toContain("gallery.flagged.example/p/1");
      expect(r.body, url).toContain(hash);
      expect(r.body, url).toContain(HOTLINE);
    }
    const api = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers })).json();
    expect(api.comments[0].body).toBe(`reported gallery.flagged.example ${hash} to the hotline: ${HOTLINE}`);
    expect(api.audit.find((a: { action: string }) => a.action === "assign").detail).toEqual({ note: `starting with gallery.flagged.example ${hash}` });
    // the page's Reveal still shows it in full, recorded
    const revealed = await app.inject({ method: "POST", url: `/api/cases/${caseId}/reveal`, headers, payload: { hash } });
    expect(revealed.json()).toEqual({ url: FLAGGED });
  });
});
