// The printable case file has no Reveal buttons, but its Evidence section told the reader to "reveal one only when
// the report needs it", as the case page does: a reader of the printout looked for a way to reveal. The file says
// what it gives instead: each address as host and its SHA-256 in full, and that the case page reveals one.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the printable case file's evidence", { timeout: 60_000 }, () => {
  it("says what the file gives, not what the page's buttons do", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "print-note-1" }));
    const rev = await bearer(auth, "rev");
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: rev })).body;
    const print = (await app.inject({ method: "GET", url: `/cases/${caseId}/print`, headers: rev })).body;
    const note = (html: string) => /<h2>Evidence<\/h2><p class="muted">(.*?)<\/p>/.exec(html)?.[1];
    expect(note(page)).toBe("Addresses are shown as host and hash only and are never links; reveal one only when the report needs it (the reveal is recorded).");
    expect(note(print)).toBe("Addresses are given as host and SHA-256 only, never in full: the case page reveals one when the report needs it (the reveal is recorded).");
  });
});
