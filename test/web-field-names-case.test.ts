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
  it("name the one comment (each decision's note) and each decision's own field on a case in review", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "field-names-1" }));
    const ann = await bearer(auth, "ann");
    await bearer(auth, "bob");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign" } })).statusCode).toBe(200);
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;

    expect(pageProblems(page, "controls")).toEqual([]);
    const root = parse(page);
    // the page's one form (web-case-comment-with-decision.test.ts): the comment goes with the button pressed
    const fields = all(root, (e) => ["input", "select", "textarea"].includes(e.tag) && e.attrs.type !== "hidden").map((e) => nameOf(root, e));
    expect(fields).toEqual(["Comment", "Hand over to", "report reference", "reason", "the bank's termination reference"]);
    // each decision's button is found by its markup (close-account too), with the form's hidden fields
    for (const action of ["handover", "escalate", "report", "dismiss", "close-account"])
      expect(Object.keys(decisionForm(page, action) ?? {}), action).toEqual(action === "handover" ? ["action", "seen"] : ["action", "seen", "confirm"]);
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
    expect(await names()).toEqual(["Comment", "Hand over to", "reason"]);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "dismiss", reason: "duplicate" } })).statusCode).toBe(200);
    // and why a case is reopened: said beside its button, the comment says it
    expect(await names()).toEqual(["Comment"]);
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body).toContain('<p data-action="reopen"><span class="muted">the comment says why the case is reopened</span> <button name="action" value="reopen">Reopen</button></p>');
  });

  it("tell the rules page's notes apart: each file's save and each version's restore", async () => {
    const r = await tuner.app().inject({ method: "GET", url: "/rules", headers: tuner.headers() });
    expect(r.statusCode).toBe(200);
    expect(pageProblems(r.body, "controls")).toEqual([]);
    const root = parse(r.body);
    expect(all(root, (e) => e.tag === "input" && e.attrs.name === "note").map((e) => nameOf(root, e))).toContain("Note for saving sites.yaml");
  });
});
