// The review report's SQL on the real PostgreSQL, as on the embedded PGlite that `npm start` uses: the same cases and
// decisions at known times give the same figures on both (ISO weeks in UTC, whatever the server's time zone).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/cases/db.js";
import { caseReport, reportRange } from "../../src/cases/report.js";
import { REPORT_NOW, REPORT_QUERY, SEEDED_REPORT, seedReportCases } from "../helpers/report-cases.js";
import { serverDb } from "../../src/cases/db.js";
import { bothDatabases, freshNames, freshSchema } from "./harness.js";

describe.each(bothDatabases("report"))("the review report on %s", (_name, open) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
    await seedReportCases(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("counts the seeded weeks, outcomes, times to first decision, age bands and assignees", async () => {
    expect(await caseReport(db, reportRange(REPORT_QUERY, REPORT_NOW), REPORT_NOW)).toEqual({ ...SEEDED_REPORT, asOf: REPORT_NOW.toISOString() });
  });
});

describe("the review report on PostgreSQL whose sessions are in another time zone", () => {
  // a week's edges fall on other days there: Monday 00:00 UTC (a case opened) is Sunday in Los Angeles, Sunday 23:00
  // UTC (a decision) is Monday in Auckland
  it.each(["America/Los_Angeles", "Pacific/Auckland"])("keeps its weeks in UTC in %s", async (zone) => {
    const url = new URL(await freshSchema(freshNames("report-tz")));
    url.searchParams.set("options", `${url.searchParams.get("options")} -c timezone=${zone}`);
    const db = await serverDb(url.toString());
    try {
      expect((await db.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0]!.tz).toBe(zone);
      await seedReportCases(db);
      expect(await caseReport(db, reportRange(REPORT_QUERY, REPORT_NOW), REPORT_NOW)).toEqual({ ...SEEDED_REPORT, asOf: REPORT_NOW.toISOString() });
    } finally {
      await db.close();
    }
  });
});
