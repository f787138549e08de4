// The queue was always riskiest first: a reviewer working to a time limit wants the oldest first, a team lead the
// most recently active. The filter form has an order (risk, oldest, recent), kept with the filters in the queue's
// cookie, its next page in the same order; GET /api/cases takes ?sort= and refuses an order it does not know.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, record } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const listed = (page: string) => [...page.matchAll(/<tr data-case="(\d+)">/g)].map((m) => m[1]!);
const nextLink = (page: string) => /<a href="([^"]+)">Next page of cases<\/a>/.exec(page)![1]!.replace(/&amp;/g, "&");

describe("the queue's order", { timeout: 60_000 }, () => {
  it("is chosen on the page, kept with the filters, and followed by the next page", async () => {
    const { db, auth, app } = await openWeb();
    // the highest score is the newest: riskiest first and oldest first are each other's reverse
    await record(db, ...Array.from({ length: 6 }, (_, i) => caseAlert({ alertId: `sort-${i}`, merchantId: `acq-test:M-${400 + i}`, score: 70 + i })));
    await db.query("UPDATE mt_cases SET opened_at = timestamptz '2026-03-01T00:00:00Z' + case_id * interval '1 hour', updated_at = timestamptz '2026-03-02T00:00:00Z' - case_id * interval '1 minute'");
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const login = await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } });
    const jar: Record<string, string> = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
    const get = async (url: string) => {
      const r = await app.inject({ method: "GET", url, headers: { cookie: Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ") } });
      for (const c of r.cookies) jar[c.name] = c.value;
      return r;
    };

    const risk = await get("/cases?pageSize=4");
    expect(listed(risk.body)).toEqual(["6", "5", "4", "3"]);
    expect(risk.body).toContain('<option value="risk" selected>riskiest first</option>');

    const oldest = await get("/cases?sort=oldest&pageSize=4");
    expect(listed(oldest.body)).toEqual(["1", "2", "3", "4"]);
    expect(oldest.body).toContain('<option value="oldest" selected>oldest first</option>');
    expect(oldest.body).toContain("Suspect merchant accounts, oldest first");
    expect(nextLink(oldest.body)).toContain("sort=oldest");
    expect(listed((await get(nextLink(oldest.body))).body)).toEqual(["5", "6"]);

    // kept: the header's "Case queue" comes back to it
    const back = await get("/cases");
    expect(back.headers.location).toBe("/cases?pageSize=4&sort=oldest");

    // recently active first: by updated time, the lowest id updated last
    expect(listed((await get("/cases?sort=recent")).body)).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("is ?sort= on the API, refused (400) when it is none of them", async () => {
    const { db, auth, app } = await openWeb();
    await record(db, caseAlert({ alertId: "sort-api-1", merchantId: "acq-test:M-1" }), caseAlert({ alertId: "sort-api-2", merchantId: "acq-test:M-2" }));
    const headers = await bearer(auth, "ann");
    const ok = await app.inject({ method: "GET", url: "/api/cases?sort=oldest&pageSize=1", headers });
    expect(ok.statusCode).toBe(200);
    const next = ok.json<{ next: string }>().next;
    expect((await app.inject({ method: "GET", url: `/api/cases?sort=oldest&pageSize=1&after=${next}`, headers })).json<{ rows: unknown[] }>().rows).toHaveLength(1);
    // a place in one order is not one in another
    const other = await app.inject({ method: "GET", url: `/api/cases?sort=recent&after=${next}`, headers });
    expect(other.statusCode).toBe(400);
    expect(other.json<{ error: string }>().error).toMatch(/sorted by oldest, not by recent/);
    const bad = await app.inject({ method: "GET", url: "/api/cases?sort=score", headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: string }>().error).toMatch(/sort.*risk \(riskiest first\), oldest \(oldest first\), recent/);
  });
});
