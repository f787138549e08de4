// A reviewer's work on the case page and API against odd input, on the real PostgreSQL and on the embedded PGlite:
// a case is assigned only to someone who can work it, a comment's text is taken only as text, the queue page says
// what it is filtered by and which page holds the cases, and the case page says only what was really done.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Db } from "../../src/cases/db.js";
import { recordAlerts } from "../../src/cases/record.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import type { CaseRow } from "../../src/cases/store.js";
import type { Alert } from "../../src/decode/events.js";
import { bothDatabases, reviewAlert, usersWithTokens } from "./harness.js";

const alert = (n: number): Alert => reviewAlert("review", n);

describe.each(bothDatabases("case-review"))("reviewing cases on %s", (_name, open) => {
  let db: Db;
  let app: FastifyInstance;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await open();
    await db.tx((q) => recordAlerts(q, [1, 2, 3].map(alert), { acquirerOf: () => "acq-test", webhooks: false }));
    tokens = await usersWithTokens(db, [["rev", "reviewer"], ["rev2", "reviewer"], ["gone", "reviewer"], ["tuner", "rule-tuner"], ["adm", "admin"]] as const);
    await db.query("UPDATE mt_users SET disabled = true WHERE username = 'gone'");
    app = await buildWebServer({ db, log: createLogger("silent" as "fatal") });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const headers = (who = "rev") => ({ authorization: `Bearer ${tokens[who]}` });
  const get = (url: string) => app.inject({ method: "GET", url, headers: headers() });
  const caseOf = async (n: number) => (await get("/api/cases?status=all")).json<{ rows: CaseRow[] }>().rows.find((r) => r.merchantId === `acq-test:M-${n}`)!;
  const form = (url: string, body: string) => app.inject({ method: "POST", url, headers: { ...headers(), "content-type": "application/x-www-form-urlencoded" }, payload: body });
  const auditOf = async (id: string) => (await get(`/api/cases/${id}/audit`)).json<{ action: string }[]>();

  it("assigns a case only to an active user who can work cases, and says who can", async () => {
    const c = await caseOf(1);
    const assign = (assignee: string) => app.inject({ method: "POST", url: `/api/cases/${c.caseId}/actions`, headers: headers(), payload: { action: "assign", assignee } });
    for (const [who, says] of [
      ["adm", "adm has the admin role and cannot work cases; assign the case to a reviewer"],
      ["tuner", "tuner has the rule-tuner role and cannot work cases; assign the case to a reviewer"],
      ["nobody", "there is no user nobody; assign the case to a reviewer by their user name"],
      ["gone", "gone is disabled; assign the case to an active reviewer"],
    ]) {
      const r = await assign(who!);
      expect(r.statusCode, who).toBe(400);
      expect(r.json().error).toBe(`assignee: ${says}`);
    }
    // the page's form is refused the same way, on the case page
    const page = await form(`/cases/${c.caseId}/action`, "action=assign&assignee=adm");
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain("adm has the admin role and cannot work cases");
    expect(await caseOf(1)).toMatchObject({ status: "open", assignee: null });
    expect(await auditOf(c.caseId)).toEqual([]);
    expect((await assign("rev2")).json()).toMatchObject({ status: "in_review", assignee: "rev2" });
  });

  it("takes a comment's text only as text: no object, number or list turned into one", async () => {
    const NEEDED = `body: a comment needs its text: write it in the Comment field of the case page's Decide section, or send it as "body" in the JSON body, e.g. {"body": "checked the descriptor history"}`;
    const c = await caseOf(2);
    const post = (payload: string, type = "application/json") =>
      app.inject({ method: "POST", url: `/api/cases/${c.caseId}/comments`, headers: { ...headers(), "content-type": type }, payload });
    for (const body of ['{"body":{"a":1}}', '{"body":123}', '{"body":["a","b"]}']) {
      const r = await post(body);
      expect(r.statusCode, body).toBe(400);
      expect(r.json().error, body).toBe(NEEDED);
    }
    const plain = await post("a comment as plain text", "text/plain");
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error).toBe('comment: send {"body": "…"} as JSON');
    expect((await post('{"body":"  "}')).json().error).toBe(NEEDED);
    // a form with the field twice is not one comment of both
    expect((await form(`/cases/${c.caseId}/comment`, "body=one&body=two")).statusCode).toBe(400);
    expect((await get(`/api/cases/${c.caseId}`)).json().comments).toEqual([]);
    const ok = await post('{"body":"  checked the descriptor history  "}');
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ author: "rev", body: "checked the descriptor history" });
  });

  it("shows on the queue page what it is filtered by, and where the cases are when a page is past the last", async () => {
    // filter values no case holds stay selected, instead of the form showing "any"
    const none = (await get("/cases?status=all&typology=no-such-typology&acquirer=acq-none")).body;
    expect(none).toContain('<option value="no-such-typology" selected>');
    expect(none).toContain('<option value="acq-none" selected>');
    expect(none).toContain("No cases match these filters.");
    const past = await get("/cases?status=all&pageSize=2&page=9");
    expect(past.statusCode).toBe(200);
    expect(past.body).not.toContain("No cases match these filters.");
    expect(past.body).toContain('No cases on page 9: the 3 that match fill 2 pages. <a href="/cases?status=all&amp;page=2&amp;pageSize=2">Go to page 2</a>.');
    expect(past.body).toContain('<a href="/cases?status=all&amp;page=2&amp;pageSize=2">Previous page of cases</a>');
  });

  it("says on the case page only what was really done, in its own words, never text from the link", async () => {
    const c = await caseOf(3);
    const spoof = await get(`/cases/${c.caseId}?notice=${encodeURIComponent("Reported to the hotline")}&error=${encodeURIComponent("Session expired: call 555-0100")}`);
    expect(spoof.statusCode).toBe(200);
    expect(spoof.body).not.toContain("Reported to the hotline");
    expect(spoof.body).not.toContain("Session expired");
    const done = await form(`/cases/${c.caseId}/action`, "action=assign&note=");
    expect(done.statusCode).toBe(303);
    const next = await get(done.headers.location as string);
    expect(next.body).toContain('<p class="notice">assign: the case is now in review</p>');
    const commented = await form(`/cases/${c.caseId}/comment`, "body=looked+at+it");
    expect((await get(commented.headers.location as string)).body).toContain('<p class="notice">comment added</p>');
    expect((await get(`/cases/${c.caseId}?done=toString`)).body).not.toContain('class="notice"');
  });
});
