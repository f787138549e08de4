// Every opening of a case is a row of its trail, kept forever, and the case page and GET /api/cases/:id read every
// row of the trail to show them as one line: a script polling one case made every later load of it slower (100,000
// openings: the page about 0.8 s, the API 1.6 s and 21 MB). They read the decisions, comments and other actions in
// full, and the openings as one aggregate (who, how many times, when last); the case's CSV keeps every row.
import { afterEach, describe, expect, it } from "vitest";
import type { Db, Queryable } from "../src/cases/db.js";
import { Auth } from "../src/web/auth.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";
import { when } from "../src/web/html.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { testDb } from "./helpers/db.js";
import { bearer } from "./helpers/web.js";

/** `db` with the rows every query returned counted, inside transactions too. */
function counted(db: Db): { db: Db; rows: () => number } {
  let n = 0;
  const count = (q: Queryable): Queryable => ({
    query: async <R,>(text: string, params?: unknown[]) => {
      const r = await q.query<R>(text, params);
      n += r.rows.length;
      return r;
    },
  });
  return { db: { ...count(db), tx: (work) => db.tx((q) => work(count(q))), close: () => db.close() }, rows: () => n };
}

const opened: { close: () => Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.close();
});

interface Row {
  auditId: string;
  at: string;
  actor: string;
  action: string;
}

describe("a case's openings on its page and in its API", { timeout: 60_000 }, () => {
  it("are read as one line per user, not row by row; the case's CSV keeps every row", async () => {
    const base = await testDb();
    const { db, rows } = counted(base);
    const app = await buildWebServer({ log: createLogger("silent" as "fatal"), db });
    opened.push(base, app);
    const auth = new Auth(db);
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const caseId = await recordCase(db, caseAlert({ alertId: "openings-summed-1" }));
    const get = (url: string, headers: Record<string, string>) => app.inject({ method: "GET", url, headers });
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action: "assign", note: "mine" } })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: bob, payload: { body: "looked at the disputes" } })).statusCode).toBe(201);
    // a script polling the case: 60 openings by ann, and 2 by bob
    for (let i = 0; i < 60; i++) expect((await get(`/api/cases/${caseId}`, ann)).statusCode).toBe(200);
    await get(`/cases/${caseId}`, bob);

    // what the page and the API read does not grow with the openings
    const before = rows();
    const page = await get(`/cases/${caseId}`, bob);
    expect(page.statusCode).toBe(200);
    const pageRows = rows() - before;
    const api = await get(`/api/cases/${caseId}`, ann);
    const apiRows = rows() - before - pageRows;
    expect(pageRows).toBeLessThan(30);
    expect(apiRows).toBeLessThan(30);

    const audra = await bearer(auth, "audra", "auditor");
    const trail = (await get(`/api/audit?case=${caseId}&action=case-view`, audra)).body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    expect(trail).toHaveLength(63);
    const last = (who: string) => trail.filter((r) => r.actor === who).at(-1)!.at;

    // the API: decisions and comments in full, openings summed per user, first opener first, this one included
    const body = api.json() as { audit: Row[]; comments: unknown[]; openings: unknown };
    expect(body.audit.map((a) => a.action)).toEqual(["assign", "comment"]);
    expect(body.comments).toHaveLength(1);
    expect(body.openings).toEqual([
      { actor: "ann", times: 61, last: last("ann") },
      { actor: "bob", times: 2, last: last("bob") },
    ]);
    // the page: the same line as before, counted by the aggregate
    const line = /<p id="case-views"[^>]*>(.*?)<\/p>/s.exec(page.body)?.[1];
    expect(line).toBe(
      `Opened by ann (last ${when(trail.filter((r) => r.actor === "ann")[59]!.at)}, 60 times), bob (last ${when(last("bob"))}, 2 times): each opening is a row of the audit trail, this one included (its CSV, or the export's action case-view).`,
    );

    // the case's CSV and JSON trail keep every opening
    const csv = (await get(`/cases/${caseId}/audit.csv`, ann)).body;
    expect(csv.split("\n").filter((l) => l.includes('"case-view"'))).toHaveLength(63);
    const json = (await get(`/api/cases/${caseId}/audit`, ann)).json() as Row[];
    expect(json.filter((r) => r.action === "case-view").map((r) => r.auditId)).toEqual(trail.map((r) => r.auditId));
  });
});
