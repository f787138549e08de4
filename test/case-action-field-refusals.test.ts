// A decision posted without a field it needs (no action, an unknown one, a dismissal without a reason or with one not
// on the list, a report without its reference, a reopen with an empty note) was answered 400 in zod's words ("Invalid
// input", "Invalid option: expected one of …"), which named no field to a browser and said nothing of how to send it.
// Each refusal now names the field, what it takes, and how to send it (the JSON field, and the page's form), as a
// rule change's note refusal does; the page shows the same message beside the form as typed.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a decision without a field it needs", { timeout: 60_000 }, () => {
  it("is refused (400) naming the field, what it takes and how to send it", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "fields-1" }));
    const ann = await bearer(auth, "ann");
    const act = async (payload: object) => {
      const r = await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload });
      expect(r.statusCode, r.body).toBe(400);
      return (r.json() as { error: string }).error;
    };
    const actions = "assign, escalate, report, dismiss, close-account, reopen";
    expect(await act({})).toBe(`action: required; one of ${actions}: send it as "action" in the JSON body, e.g. {"action": "assign"}`);
    expect(await act({ action: "frobnicate" })).toBe(`action: frobnicate is not one; one of ${actions}: send it as "action" in the JSON body, e.g. {"action": "assign"}`);
    const reasons = "false-positive, legitimate-business, duplicate, insufficient-evidence";
    expect(await act({ action: "dismiss" })).toBe(
      `reason: a dismissal needs its reason; one of ${reasons}: choose it in the Dismiss form, or send it as "reason" in the JSON body, e.g. {"action": "dismiss", "reason": "false-positive"}`,
    );
    expect(await act({ action: "dismiss", reason: "bored" })).toBe(
      `reason: bored is not one; one of ${reasons}: choose it in the Dismiss form, or send it as "reason" in the JSON body, e.g. {"action": "dismiss", "reason": "false-positive"}`,
    );
  });

  it("on a reopen with an empty note, and a report without its reference, says the same on the page as typed", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "fields-2" }));
    const ann = await bearer(auth, "ann");
    const api = (payload: object) => app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload });
    expect((await api({ action: "assign" })).statusCode).toBe(200);
    const noRef = await api({ action: "report", reportRef: "  " });
    expect(noRef.statusCode).toBe(400);
    expect(noRef.json().error).toBe(
      `reportRef: the report's reference (hotline or authority case number) is required: type it in the Mark reported form, or send it as "reportRef" in the JSON body, e.g. {"action": "report", "reportRef": "HL-0042"}`,
    );
    expect((await api({ action: "dismiss", reason: "duplicate" })).statusCode).toBe(200);
    const noNote = await api({ action: "reopen", note: " " });
    expect(noNote.statusCode).toBe(400);
    const reopenNote = `note: say why the case is reopened: write it in the Reopen form's "why" field, or send it as "note" in the JSON body, e.g. {"action": "reopen", "note": "new evidence from the hotline"}`;
    expect(noNote.json().error).toBe(reopenNote);

    // the page's form, sent with the note left empty by hand (a browser's required attribute bypassed)
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;
    const r = await app.inject({
      method: "POST",
      url: `/cases/${caseId}/action`,
      headers: { ...ann, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...decisionForm(page, "reopen")!, note: "" }).toString(),
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain(reopenNote.replaceAll('"', "&quot;").replaceAll("'", "&#39;"));
    expect(r.body).toContain('data-action="reopen"');
  });
});
