// A reviewer works the queue's first page, dismissing some cases, then follows "next": the next page was an offset
// into the queue as it is now, so as many cases as were closed moved up onto the first page and were never shown.
// "Next page of cases" now continues after the last case the page showed, by its place in the queue's order.
import { describe, expect, it } from "vitest";
import { caseAlert, record } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const listed = (page: string) => [...page.matchAll(/<tr data-case="(\d+)">/g)].map((m) => m[1]!);
const nextLink = (page: string) => /<a href="([^"]+)">Next page of cases<\/a>/.exec(page)![1]!.replace(/&amp;/g, "&");

describe("the queue's next page", { timeout: 60_000 }, () => {
  it("starts after the last case the page showed, whatever was closed on it since", async () => {
    const { db, auth, app } = await openWeb();
    // 30 cases, scores 99 down to 70: one order, no ties
    await record(db, ...Array.from({ length: 30 }, (_, i) => caseAlert({ alertId: `next-${i}`, merchantId: `acq-test:M-${100 + i}`, score: 99 - i })));
    const headers = await bearer(auth, "ann");
    const get = async (url: string) => (await app.inject({ method: "GET", url, headers })).body;
    const order = (await app.inject({ method: "GET", url: "/api/cases?pageSize=200", headers })).json<{ rows: { caseId: string }[] }>().rows.map((r) => r.caseId);

    const first = await get("/cases?pageSize=10");
    expect(listed(first)).toEqual(order.slice(0, 10));
    // two of them dismissed from the first page
    for (const id of order.slice(0, 2)) expect((await app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: { action: "dismiss", reason: "duplicate" } })).statusCode).toBe(200);

    const second = await get(nextLink(first));
    expect(listed(second)).toEqual(order.slice(10, 20));
    expect(second).toContain("28 cases · page 2 of 3");
    const third = await get(nextLink(second));
    expect(listed(third)).toEqual(order.slice(20, 30));
    expect(third).not.toMatch(/>Next page of cases<\/a>/);
  });
});
