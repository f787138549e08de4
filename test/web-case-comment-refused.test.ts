// A comment the case refused (blank, or over 4,000 characters) from the case page led to a bare error page with a
// link to the start page: the reviewer lost the case they were on and, for a long comment, what they had written.
// The case page now comes back with the refusal and the comment as typed, to shorten and send again.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a comment refused from the case page", { timeout: 60_000 }, () => {
  it("shows the case again with why, and keeps the text", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "comment-1" }));
    const ann = await bearer(auth, "ann");
    const long = `checked the descriptor <history> & "aliases"; ${"x".repeat(4000)}`;
    const r = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/comment`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ body: long }).toString(),
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain(`<h1>Case #${caseId}: acq-test:M-1</h1>`);
    expect(r.body).toMatch(/<p class="error" role="alert" id="action-error">[^<]*a comment is at most 4,000 characters/);
    const escaped = long.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    expect(r.body).toContain(`<textarea name="body" id="comment" aria-describedby="comment-hint action-error" rows="3" cols="72">${escaped}</textarea>`);
    expect((await db.query("SELECT 1 FROM mt_case_comments")).rows).toHaveLength(0);
  });
});
