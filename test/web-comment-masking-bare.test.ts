// An evidence address written into a comment or note without its scheme (gallery.flagged.example/p/1, as people
// write an address in prose, or //… copied from a page's source) was shown in full to every later reader of the case
// page, the printable file, the case API and the case's audit trail: an unrecorded reveal, where the README says such
// an address is shown as host and hash. It is now masked like one written with https://; the host alone (which the
// mask shows anyway) and another page of the same host (a hotline's report page) stay as written.
import { describe, expect, it } from "vitest";
import { urlHash } from "../src/cases/store.js";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { bearer, caseViews, embeddedWeb } from "./helpers/web.js";

const FLAGGED = "https://gallery.flagged.example/p/1?utm_source=feed";
const OTHER_PAGE = "gallery.flagged.example/abuse-report";

const openWeb = embeddedWeb();

describe("an evidence address written without its scheme", { timeout: 60_000 }, () => {
  it("is masked wherever reviewers read comments and notes; the host alone and another page of it are not", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("bare-mask-1", FLAGGED));
    const headers = await bearer(auth, "rev");
    const post = (url: string, payload: object) => app.inject({ method: "POST", url, headers, payload });
    expect((await post(`/api/cases/${caseId}/comments`, { body: `seen at gallery.flagged.example/p/1. Also as //WWW.Gallery.Flagged.Example:443/p/1/ (host gallery.flagged.example; form at ${OTHER_PAGE})` })).statusCode).toBe(201);
    expect((await post(`/api/cases/${caseId}/actions`, { action: "assign", note: "check gallery.flagged.example/p/1?utm_source=mail" })).statusCode).toBe(200);

    const hash = urlHash(FLAGGED);
    for (const url of caseViews(caseId)) {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, url).toBe(200);
      expect(r.body.toLowerCase(), url).not.toContain("flagged.example/p/1");
      expect(r.body.toLowerCase(), url).not.toContain("flagged.example:443/p/1");
      expect(r.body, url).toContain(OTHER_PAGE);
    }
    const api = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers })).json();
    const masked = `gallery.flagged.example ${hash}`;
    expect(api.comments[0].body).toBe(`seen at ${masked}. Also as //${masked} (host gallery.flagged.example; form at ${OTHER_PAGE})`);
    expect(api.audit.find((a: { action: string }) => a.action === "assign").detail).toEqual({ note: `check ${masked}` });
  });
});
