// The case file's download name was written from the address before the case id was checked, so a mistyped or
// crafted address got its error page as a download named by the address ("case-1";filename=x.html.json"), and one
// with a line break in it had its answer cut short by Node, without the page's headers (no-store, CSP, nosniff).
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the case file's download", { timeout: 60_000 }, () => {
  it("is named by the case's id, and an address that names no case gets the error page with the page's headers", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "file-1" }));
    const headers = await bearer(auth, "rev");
    const ok = await app.inject({ method: "GET", url: `/cases/${caseId}/export.json`, headers });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["content-disposition"]).toBe(`attachment; filename="case-${caseId}.json"`);
    for (const id of ["1%22;filename=evil.html", "1%0d%0aX-Injected:%20yes"]) {
      const r = await app.inject({ method: "GET", url: `/cases/${id}/export.json`, headers });
      expect(r.statusCode).toBe(404);
      expect(r.headers["content-disposition"]).toBeUndefined();
      expect(r.headers["x-injected"]).toBeUndefined();
      expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(r.headers["cache-control"]).toBe("no-store");
      expect(r.body).toContain("case ids are numbers");
    }
  });
});
