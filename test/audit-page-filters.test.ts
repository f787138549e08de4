// The /audit page linked the whole export only: an auditor after a token leak had to write the query string by hand.
// It now has a form for the export's filters (token, user, from a time, how many rows), which shows the rows they
// keep on the page (test/audit-table-page.test.ts), with the export's links.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the /audit page", { timeout: 60_000 }, () => {
  it("has a form for the export's filters that opens it with them", async () => {
    const { auth, app } = await openWeb();
    const audra = await bearer(auth, "audra", "auditor");
    const page = (await app.inject({ method: "GET", url: "/audit", headers: audra })).body;
    const form = /<form[^>]*action="\/audit"[^>]*>([\s\S]*?)<\/form>/.exec(page);
    expect(form, page).not.toBeNull();
    // a GET form: its fields are the export's query parameters, and it carries no CSRF token, as it changes nothing
    expect(form![0]).toMatch(/^<form method="get" action="\/audit"/);
    for (const name of ["token", "actor", "since", "limit"]) expect(form![1]).toMatch(new RegExp(`<label>[^<]*<input name="${name}"`));
    expect(form![1]).not.toContain("_csrf");
    expect(form![1]).toContain('pattern="[0-9a-fA-F]{12}"');

    // what the form sends, with its other fields left empty, is what the export takes
    const leakedId = (await auth.createToken(CONSOLE, "audra", "tokalpha")).id;
    for (const to of ["/audit", "/api/audit"]) {
      const sent = await app.inject({ method: "GET", url: `${to}?token=${leakedId}&actor=&since=&limit=`, headers: audra });
      expect(sent.statusCode, sent.body).toBe(200);
    }
  });
});
