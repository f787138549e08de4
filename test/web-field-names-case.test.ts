// A screen reader's list of a case page's fields read "note" once for each decision form (assign, escalate, report,
// dismiss, account closed): which note went with which decision could not be told from the list. Each note is now
// named for its form's button ("note for Escalate"), the label a sighted reviewer reads unchanged and the field's
// name still `note`, as the server reads it. The same held for the rules page's save and restore notes.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { nameOf, pageProblems, parse, all } from "./helpers/a11y.js";
import { bearer, decisionForm, embeddedWeb, tunerWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const tuner = tunerWeb("web-field-names-case");

describe("form fields' names to a screen reader", { timeout: 60_000 }, () => {
  it("tell each decision form's note apart on a case in review, and each form still sends note", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "field-names-1" }));
    const ann = await bearer(auth, "ann");
    await bearer(auth, "bob");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign" } })).statusCode).toBe(200);
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;

    expect(pageProblems(page, "controls")).toEqual([]);
    const root = parse(page);
    const notes = all(root, (e) => e.tag === "input" && e.attrs.name === "note").map((e) => nameOf(root, e));
    expect(notes).toEqual(["handover note", "note for Escalate", "note for Mark reported", "note for Dismiss", "note for Record account closed"]);
    // what a sighted reviewer reads is as it was: "note" beside the field, the rest hidden from the eye only
    expect(page).toContain('<label>note<span class="vh"> for Escalate</span> <input name="note" size="40" value="">');
    // the forms are found by their markup, each action's (close-account too) with its hidden fields
    for (const action of ["handover", "escalate", "report", "dismiss", "close-account"]) expect(Object.keys(decisionForm(page, action) ?? {}), action).toEqual(["action", "seen"]);
  });

  it("say what each field is for out of its form: whom a case is handed over to, why a closed case is reopened", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "field-names-2" }));
    const ann = await bearer(auth, "ann");
    await bearer(auth, "bob");
    const names = async () => {
      const root = parse((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body);
      return all(root, (e) => ["input", "select", "textarea"].includes(e.tag) && e.attrs.type !== "hidden").map((e) => nameOf(root, e));
    };
    // a list of fields read "to, combo box": to what?
    expect(await names()).toEqual(["note for Assign to me", "Hand over to", "handover note", "reason", "note for Dismiss", "Comment"]);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "dismiss", reason: "duplicate" } })).statusCode).toBe(200);
    // and "why, edit text": why what?
    expect(await names()).toEqual(["why the case is reopened", "Comment"]);
  });

  it("tell the rules page's notes apart: each file's save and each version's restore", async () => {
    const r = await tuner.app().inject({ method: "GET", url: "/rules", headers: tuner.headers() });
    expect(r.statusCode).toBe(200);
    expect(pageProblems(r.body, "controls")).toEqual([]);
    const root = parse(r.body);
    expect(all(root, (e) => e.tag === "input" && e.attrs.name === "note").map((e) => nameOf(root, e))).toContain("Note for saving sites.yaml");
  });
});
