// What the reviewer web review (after fb99923) found, on the real PostgreSQL and on the embedded PGlite: the audit CSV
// keeps formula-looking cells as text, each role lands on its own home page, every signed-in user may ask who they
// are, a body or address the server cannot read is answered in the API's shape with what to do, and the queue's
// filter form keeps the page size.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Db } from "../../src/cases/db.js";
import { recordAlerts } from "../../src/cases/record.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import type { CaseRow } from "../../src/cases/store.js";
import type { Alert } from "../../src/decode/events.js";
import { bothDatabases, reviewAlert, usersWithTokens } from "./harness.js";

// a merchant id is whatever the payments feed carries: here one a spreadsheet would run
const FORMULA = '=HYPERLINK("http://x.invalid","y")';

const alert = (n: number, merchantId?: string): Alert => reviewAlert("followup", n, merchantId);

/** RFC 4180 cells, as a spreadsheet reads them: quoted cells with "" for a quote, rows ending in a newline. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = "";
    if (text[i] === '"') {
      for (i++; i < text.length; i++) {
        if (text[i] === '"' && text[i + 1] !== '"') break;
        if (text[i] === '"') i++;
        cell += text[i];
      }
      i++;
    } else while (i < text.length && text[i] !== "," && text[i] !== "\n") cell += text[i++];
    row.push(cell);
    if (text[i++] !== ",") {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

describe.each(bothDatabases("web-followups"))("the reviewer web's follow-ups on %s", (_name, open) => {
  let db: Db;
  let app: FastifyInstance;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await open();
    await db.tx((q) => recordAlerts(q, [alert(1, FORMULA), alert(2), alert(3)], { acquirerOf: () => "acq-test", webhooks: false }));
    tokens = await usersWithTokens(db, [["rev", "reviewer"], ["tuner", "rule-tuner"], ["adm", "admin"]] as const);
    // the rule tuner's page reads the shipped rules; nothing here changes them
    app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: DEFAULT_RULES });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const headers = (who = "rev") => ({ authorization: `Bearer ${tokens[who]}` });
  const get = (url: string, who = "rev") => app.inject({ method: "GET", url, headers: headers(who) });
  const caseOf = async (merchantId: string) => (await get("/api/cases?status=all")).json<{ rows: CaseRow[] }>().rows.find((r) => r.merchantId === merchantId)!;

  it("keeps every audit CSV cell a spreadsheet would run as a formula as text, with a leading '", async () => {
    const c = await caseOf(FORMULA);
    const comment = await app.inject({ method: "POST", url: `/api/cases/${c.caseId}/comments`, headers: headers(), payload: { body: FORMULA } });
    expect(comment.statusCode).toBe(201);
    const note = await app.inject({ method: "POST", url: `/api/cases/${c.caseId}/actions`, headers: headers(), payload: { action: "assign", note: "+1 checked" } });
    expect(note.statusCode).toBe(200);
    const csv = await get(`/cases/${c.caseId}/audit.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const [header, ...rows] = parseCsv(csv.body);
    // credential: what each action was taken with (migration 25)
    expect(header).toEqual(["audit_id", "at", "actor", "role", "action", "case_id", "target", "before", "after", "detail", "credential"]);
    expect(rows.map((r) => r[4])).toEqual(["comment", "assign"]);
    for (const r of rows) {
      expect(r).toHaveLength(11);
      for (const cell of r) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(r[6]).toBe(`'${FORMULA}`);
    }
    // the comment's text and the note are in their JSON cells, whole
    expect(JSON.parse(rows[0]![8]!)).toMatchObject({ body: FORMULA });
    expect(JSON.parse(rows[1]![9]!)).toEqual({ note: "+1 checked" });
  });

  it("sends each role from / to its own home page; nobody signed in to sign in first", async () => {
    for (const [who, home] of [["rev", "/cases"], ["tuner", "/rules"], ["adm", "/admin"]]) {
      const r = await get("/", who);
      expect(r.statusCode, who).toBe(302);
      expect(r.headers.location, who).toBe(home);
      expect((await get(home!, who)).statusCode, `${who} ${home}`).toBe(200);
    }
    expect((await app.inject({ method: "GET", url: "/" })).headers.location).toBe("/login?next=%2F");
  });

  it("tells every signed-in user who they are: name and role, nothing more", async () => {
    for (const [who, role] of [["rev", "reviewer"], ["tuner", "rule-tuner"], ["adm", "admin"]]) {
      const r = await get("/api/me", who);
      expect(r.statusCode, who).toBe(200);
      expect(r.json()).toEqual({ username: who, role });
    }
    // a session too, even before its initial password is replaced: its CSRF token is not in the answer
    const login = await app.inject({ method: "POST", url: "/login", payload: { username: "tuner", password: "tuner-password-long" } });
    const session = login.cookies.find((c) => c.name === "mt_session")!;
    const me = await app.inject({ method: "GET", url: "/api/me", headers: { cookie: `mt_session=${session.value}` } });
    expect(me.json()).toEqual({ username: "tuner", role: "rule-tuner" });
    expect((await app.inject({ method: "GET", url: "/api/me" })).statusCode).toBe(401);
  });

  it("answers a body or an address it cannot read in the API's shape, with what to do", async () => {
    const c = await caseOf("acq-test:M-2");
    const xml = await app.inject({ method: "POST", url: `/api/cases/${c.caseId}/comments`, headers: { ...headers(), "content-type": "application/xml" }, payload: "<body>x</body>" });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({
      error: "content-type application/xml is not read here: send JSON (content-type: application/json) or a form (application/x-www-form-urlencoded); a rule file goes as text/plain or application/yaml",
    });
    const long = await get(`/api/cases/${"9".repeat(101)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: "a part of this address is over 100 characters: check the address (a case id is a number, a user name at most 64 characters)" });
    const bad = await get("/api/cases/%E0%A4%A");
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: "this address is not valid: a % in it must start an escape of UTF-8 (%20 for a space, %25 for a % itself)" });
    // on a page, the same words on the error page, which keeps the page's headers
    const page = await get(`/cases/${"9".repeat(101)}`);
    expect(page.statusCode).toBe(414);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(page.body).toContain("a part of this address is over 100 characters");
    // the way on is a link the page's CSP lets through (it blocks javascript: URLs)
    expect(page.body).not.toContain("javascript:");
    expect(page.body).toContain('<a href="/">Back to your start page</a>');
  });

  it("keeps the page size in the queue's filter form", async () => {
    const page = (await get("/cases?status=all&pageSize=2")).body;
    const form = /<form method="get" action="\/cases"[^]*?<\/form>/.exec(page)![0];
    expect(form).toContain('<select name="pageSize">');
    expect(form).toContain('<option value="2" selected>');
    expect((await get("/cases")).body).toContain('<option value="25" selected>');
  });
});
