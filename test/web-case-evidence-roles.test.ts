// Reading a case's evidence: a transaction's addresses were listed without saying which was the checkout page and
// which the site the buyer came from (what transaction laundering turns on), a crawl's page among the pages it
// links to; and no signal said which events were its evidence, nor that one was no longer kept. Each address now
// says what it is, and each signal names its events, linked to their rows, or says that the case does not hold one.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { urlHash } from "../src/cases/store.js";

const openWeb = embeddedWeb();

const CHECKOUT = "https://shop.example/checkout";
const REFERRER = "https://side-door.test/offer";
const CRAWLED = "https://shop.example/";
const LINKED = "https://elsewhere.invalid/page";

/** The cell of a table row whose first cell or id holds `key`. */
const rowOf = (page: string, table: string, key: string): string => {
  const t = page.slice(page.indexOf(`<table id="${table}"`), page.indexOf("</table>", page.indexOf(`<table id="${table}"`)));
  return t.split("<tr").find((r) => r.includes(key)) ?? "";
};
/** The text of the line (a <div>) of a row that shows the address with this hash. */
const lineOf = (row: string, hash: string): string => row.split("<div>").find((d) => d.includes(hash))?.replace(/<[^>]+>/g, "") ?? "";

describe("a case's evidence", { timeout: 60_000 }, () => {
  it("says what each address is, and which events each signal rests on", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(
      db,
      caseAlert({
        alertId: "roles-1",
        typologies: ["transaction-laundering"],
        signals: [
          { rule: "undisclosed-referrers", version: "v1", value: 0.45, threshold: 0.25, explanation: "45% of checkouts referred from undisclosed sites", evidence: { eventIds: ["e-tx"] } },
          { rule: "cloaked-content", version: "v1", value: 1, threshold: 1, explanation: "a crawl saw cloaking", evidence: { eventIds: ["e-crawl", "e-gone"] } },
        ],
        context: {
          events: [
            { eventId: "e-tx", type: "transaction", occurredAt: "2026-03-01T00:00:00Z", amountMinor: 1000, currency: "EUR", checkoutUrl: CHECKOUT, referrerUrl: REFERRER },
            { eventId: "e-crawl", type: "site_observation", occurredAt: "2026-03-01T01:00:00Z", url: CRAWLED, linkedUrls: [LINKED] },
          ],
          activity: [],
        },
      }),
    );
    const ann = await bearer(auth, "ann");
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: ann })).body;

    const tx = rowOf(page, "evidence", "e-tx");
    expect(lineOf(tx, urlHash(CHECKOUT))).toMatch(/^checkout: /);
    expect(lineOf(tx, urlHash(REFERRER))).toMatch(/^referred from: /);
    const crawl = rowOf(page, "evidence", "e-crawl");
    expect(lineOf(crawl, urlHash(CRAWLED))).toMatch(/^crawled page: /);
    expect(lineOf(crawl, urlHash(LINKED))).toMatch(/^links to: /);
    expect(page).toContain('<tr id="ev-e-tx">');

    // each signal's evidence, linked to its row; an event the case no longer holds is said to be so
    expect(rowOf(page, "signals", "undisclosed-referrers")).toContain('<a href="#ev-e-tx">e-tx</a>');
    const cloaked = rowOf(page, "signals", "cloaked-content");
    expect(cloaked).toContain('<a href="#ev-e-crawl">e-crawl</a>');
    // the case file for the hotline says it too
    const file = (await app.inject({ method: "GET", url: `/api/cases/${caseId}/export`, headers: ann })).json<{ evidence: { eventId: string; urls: unknown[] }[] }>();
    expect(file.evidence.find((e) => e.eventId === "e-tx")!.urls).toEqual([
      { url: CHECKOUT, sha256: urlHash(CHECKOUT), role: "checkout" },
      { url: REFERRER, sha256: urlHash(REFERRER), role: "referred from" },
    ]);
    expect(cloaked.replace(/<[^>]+>/g, "")).toContain("e-gone (not kept");
  });
});
