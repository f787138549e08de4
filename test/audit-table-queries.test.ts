// The /audit page masks on screen each case's evidence addresses written into comments and notes, and loaded every
// case the page names through the case page's read, one after another (five queries each): a page of 500 rows over
// 500 cases took 0.65 s on a 1M-row trail. It now reads the page's cases' evidence in one query, whatever their
// number; what it shows is the same.
import { afterEach, describe, expect, it } from "vitest";
import type { Db, Queryable } from "../src/cases/db.js";
import { Auth } from "../src/web/auth.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";
import { all, byId, parse, text } from "./helpers/a11y.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { testDb } from "./helpers/db.js";
import { bearer } from "./helpers/web.js";

/** `db` with every query counted, inside transactions too. */
function counted(db: Db): { db: Db; queries: () => number } {
  let n = 0;
  const count = (q: Queryable): Queryable => ({ query: (text, params) => (n++, q.query(text, params)) });
  return { db: { ...count(db), tx: (work) => db.tx((q) => work(count(q))), close: () => db.close() }, queries: () => n };
}

const opened: { close: () => Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.close();
});

/**
 * A trail naming `cases` cases, each a merchant of its own whose checkout address a reviewer pasted into a comment;
 * and how many queries the /audit page of its comments makes, with the page's rows.
 */
async function commentsPage(cases: number): Promise<{ queries: number; rows: string[][] }> {
  const base = await testDb();
  const { db, queries } = counted(base);
  const app = await buildWebServer({ log: createLogger("silent" as "fatal"), db });
  opened.push(base, app);
  const auth = new Auth(db);
  const ann = await bearer(auth, "ann");
  for (let i = 1; i <= cases; i++) {
    const url = `https://shop-${i}.example/checkout/tokalpha`;
    const caseId = await recordCase(
      db,
      caseAlert({
        alertId: `queries-${i}`,
        merchantId: `acq-test:M-${i}`,
        context: { events: [{ eventId: `e-${i}`, type: "transaction", occurredAt: "2026-03-01T00:00:00Z", amountMinor: 100, currency: "EUR", checkoutUrl: url }], activity: [] },
      }),
    );
    const r = await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: ann, payload: { body: `see ${url} and https://hotline.example/report` } });
    expect(r.statusCode, r.body).toBe(201);
  }
  const audra = await bearer(auth, "audra", "auditor");
  // the sign-in's own reads are the same for any page: warmed, then counted on the second view
  expect((await app.inject({ method: "GET", url: "/audit?action=comment", headers: audra })).statusCode).toBe(200);
  const before = queries();
  const r = await app.inject({ method: "GET", url: "/audit?action=comment", headers: audra });
  expect(r.statusCode, r.body).toBe(200);
  const table = byId(parse(r.body), "audit-rows")!;
  const rows = all(table, (e) => e.tag === "tr" && e.attrs["data-audit"] !== undefined).map((tr) => all(tr, (e) => e.tag === "td").map(text));
  return { queries: queries() - before, rows };
}

describe("the /audit page's reads", { timeout: 60_000 }, () => {
  it("reads the evidence of a page's cases in one query, not one case at a time", async () => {
    const one = await commentsPage(1);
    const six = await commentsPage(6);
    expect(six.rows).toHaveLength(6);
    expect(six.queries).toBe(one.queries);
    // each comment's own case's address masked, the hotline's kept: every case's evidence was read
    six.rows.forEach((row, i) => {
      const n = 6 - i;
      expect(row[5]).toMatch(new RegExp(`^body: see shop-${n}\\.example sha256:[0-9a-f]{64} and https://hotline\\.example/report; comment: \\d+$`));
    });
  });
});
