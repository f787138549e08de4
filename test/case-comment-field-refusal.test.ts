// A comment sent to POST /api/cases/:id/comments without its text (no "body", a blank one, or no JSON at all) was
// refused 400 as "body: the comment's text, as a string", "body: a comment needs some text" or 'comment: send
// {"body": "…"} as JSON': the first two said not how to send it, the last named no field. It now says, as a decision's refusal does, the field, what it takes and how to
// send it: the case page's Comment field, or "body" in the JSON body with an example.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

const NEEDED =
  'body: a comment needs its text: write it in the Comment field of the case page\'s Decide section, or send it as "body" in the JSON body, e.g. {"body": "checked the descriptor history"}';

describe("a comment without its text", { timeout: 60_000 }, () => {
  it("is refused (400) naming the field and how to send it", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "comment-field-1" }));
    const ann = await bearer(auth, "ann");
    const comment = async (payload?: object) => {
      const r = await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: ann, ...(payload && { payload }) });
      expect(r.statusCode, r.body).toBe(400);
      return (r.json() as { error: string }).error;
    };
    expect(await comment({})).toBe(NEEDED);
    expect(await comment({ body: "   " })).toBe(NEEDED);
    // a text under another name is not taken for it
    expect(await comment({ text: "checked" })).toBe(NEEDED);
    expect(await comment()).toBe(NEEDED);
    expect((await db.query("SELECT 1 FROM mt_case_comments")).rows).toHaveLength(0);
  });

  it("says the same on the case page", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "comment-field-2" }));
    const ann = await bearer(auth, "ann");
    const r = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/comment`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ body: " " }).toString(),
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain(`The comment was not added: ${NEEDED}`.replaceAll('"', "&quot;").replaceAll("'", "&#39;"));
  });
});
