// A right-to-left override (U+202E) or another bidirectional control in a comment, a note or a reference ran on past
// the text it was written in: the case page's audit trail and timeline put a row's values in one cell ("body: …;
// comment: 1", a decision's changes then its note), so the rest of the cell after the value was shown reversed, and
// a reviewer could make what followed their text read otherwise to a colleague or an auditor. Each written value is
// now isolated (U+2068 … U+2069, which also closes what it left open), so it reorders its own text at most; text
// without such a control is shown as before.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { isolated } from "../src/web/html.js";

const openWeb = embeddedWeb();
const RLO = "\u202E";
const cellsOf = (page: string, table: string): string[] => {
  const start = page.indexOf(`<table id="${table}"`);
  return [...page.slice(start, page.indexOf("</table>", start)).matchAll(/<td>(.*?)<\/td>/gs)].map((m) => m[1]!);
};

describe("a bidirectional control in what a reviewer wrote", { timeout: 60_000 }, () => {
  it("stays inside its value on the case page and the printable file", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "bidi-1" }));
    const ann = await bearer(auth, "ann");
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: ann, payload: { body: `checked ${RLO}evlos` } })).statusCode).toBe(201);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign", note: `mine ${RLO}now` } })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "escalate", note: "plain words" } })).statusCode).toBe(200);

    for (const url of [`/cases/${caseId}`, `/cases/${caseId}/print`]) {
      const page = (await app.inject({ method: "GET", url, headers: ann })).body;
      const cells = [...cellsOf(page, "audit"), ...cellsOf(page, "timeline")].filter((c) => c.includes(RLO));
      expect(cells.length, url).toBe(4);
      // every override is closed before the cell's text goes on
      for (const c of cells) expect(c, url).toMatch(/\u2068[^\u2068\u2069]*\u202E[^\u2068\u2069]*\u2069/);
      expect(cellsOf(page, "audit"), url).toContain(`body: \u2068checked ${RLO}evlos\u202C\u2069; comment: 1`);
      // text without a control as before
      expect(cellsOf(page, "audit"), url).toContain("note: plain words");
    }
  });

  it("closes what the text leaves open and drops a closer that would reach outside it", () => {
    expect(isolated("HL-0042")).toBe("HL-0042");
    expect(isolated(`a${RLO}b`)).toBe(`\u2068a${RLO}b\u202C\u2069`);
    // a stray isolate closer would end the isolate around it early, leaving the override after it open
    expect(isolated(`\u2069${RLO}b`)).toBe(`\u2068${RLO}b\u202C\u2069`);
    // balanced text is kept as written, inside the isolate
    expect(isolated(`\u2067x\u2069 ${RLO}y\u202C z`)).toBe(`\u2068\u2067x\u2069 ${RLO}y\u202C z\u2069`);
  });
});
