// A case's "updated" time took each new alert's time, which is its event's: an alert from a replay or a backlog,
// older than the one before it, moved the case's updated time back (and a batch's last alert, not its latest); and a
// reviewer's action set it to the clock even below an alert's later time. It now only moves forward: the later of
// what it was and the newest alert's time, or of what it was and the action's time. On PostgreSQL and on PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/cases/db.js";
import { CaseStore } from "../../src/cases/store.js";
import { caseAlert, openCaseOf, record } from "../helpers/cases.js";
import { bothDatabases } from "./harness.js";

describe.each(bothDatabases("updated"))("a case's updated time, on %s", (_name, open) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db.close();
  });
  const store = () => new CaseStore(db, ["reviewer"]);
  const updatedOf = async (merchantId: string) => (await store().get(await openCaseOf(db, merchantId))).case.updatedAt;

  it("does not go back for an older alert, and takes a batch's latest alert's time", async () => {
    await record(db, caseAlert({ alertId: "upd-1", merchantId: "acq-test:M-501", raisedAt: "2026-03-05T00:00:00Z" }));
    await record(db, caseAlert({ alertId: "upd-2", merchantId: "acq-test:M-501", raisedAt: "2026-03-01T00:00:00Z", score: 60 }));
    const c = (await store().get(await openCaseOf(db, "acq-test:M-501"))).case;
    expect(c.lastAlertId, "the backlog alert is still the case's latest").toBe("upd-2");
    expect(c.updatedAt).toBe("2026-03-05T00:00:00.000Z");

    await record(
      db,
      caseAlert({ alertId: "upd-3", merchantId: "acq-test:M-502", raisedAt: "2026-03-09T00:00:00Z" }),
      caseAlert({ alertId: "upd-4", merchantId: "acq-test:M-502", raisedAt: "2026-03-02T00:00:00Z" }),
    );
    expect(await updatedOf("acq-test:M-502")).toBe("2026-03-09T00:00:00.000Z");
  });

  it("is set by a reviewer's action, never back from a later alert's time", async () => {
    const reviewer = { username: "rev", role: "reviewer" } as const;
    await record(db, caseAlert({ alertId: "upd-5", merchantId: "acq-test:M-503", raisedAt: "2026-03-01T00:00:00Z" }));
    const before = Date.now();
    const acted = await store().act(await openCaseOf(db, "acq-test:M-503"), reviewer, { action: "assign" });
    expect(Date.parse(acted.updatedAt)).toBeGreaterThanOrEqual(before - 1000);

    // an event dated ahead of the clock (a producer's clock a day fast)
    const ahead = new Date(Date.now() + 86_400_000).toISOString();
    await record(db, caseAlert({ alertId: "upd-6", merchantId: "acq-test:M-504", raisedAt: ahead }));
    const later = await store().act(await openCaseOf(db, "acq-test:M-504"), reviewer, { action: "assign" });
    expect(later.updatedAt).toBe(ahead);
  });
});
