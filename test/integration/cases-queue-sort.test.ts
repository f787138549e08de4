// The queue had one order, riskiest first: a reviewer working to a time limit wants the oldest cases first, a team
// lead the most recently active. Each order pages after the last case shown (after=), so that cases closed from a
// page, or changed meanwhile, neither repeat on a later page nor push a case past it unseen. On PostgreSQL and PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/cases/db.js";
import { CaseStore, type QueueFilter } from "../../src/cases/store.js";
import { caseAlert, record } from "../helpers/cases.js";
import { bothDatabases } from "./harness.js";

const rev = { username: "rev", role: "reviewer", credential: "session" } as const;

describe.each(bothDatabases("qsort"))("the queue's orders, on %s", (_name, open) => {
  let db: Db;
  let store: CaseStore;
  beforeAll(async () => {
    db = await open();
    store = new CaseStore(db, ["reviewer"]);
    // 40 cases; opened and updated times with ties, so that the case id decides within them
    await record(
      db,
      ...Array.from({ length: 40 }, (_, i) =>
        caseAlert({ alertId: `qs-${i}`, merchantId: `acq-test:M-${300 + i}`, score: 60 + (i % 7), raisedAt: `2026-03-01T00:${String(10 + Math.floor(i / 4)).padStart(2, "0")}:00Z` }),
      ),
    );
    await spread();
  });
  // opened 4 a minute (ties), updated up to 4 hours later (ties again)
  const spread = () =>
    db.query(
      "UPDATE mt_cases SET opened_at = timestamptz '2026-03-01T00:00:00Z' + (case_id / 4) * interval '1 minute', updated_at = timestamptz '2026-03-01T00:00:00Z' + (case_id / 4) * interval '1 minute' + ((case_id % 5) * interval '1 hour')",
    );
  afterAll(async () => {
    await db.close();
  });

  const all = async (sort: QueueFilter["sort"]) => (await store.queue({ sort, pageSize: 200 })).rows;
  /** Every page after the first, by its next link, with `between` done after each page. */
  const walk = async (sort: QueueFilter["sort"], between: (page: string[]) => Promise<void> = async () => {}) => {
    const seen: string[] = [];
    let q = await store.queue({ sort, pageSize: 7 });
    for (;;) {
      const ids = q.rows.map((r) => r.caseId);
      seen.push(...ids);
      await between(ids);
      if (!q.next || !ids.length) return seen;
      q = await store.queue({ sort, pageSize: 7, after: q.next });
    }
  };
  const by = (a: string, b: string) => Number(a) - Number(b);

  it("oldest first: by when the case was opened, then its id", async () => {
    const rows = await all("oldest");
    const expected = [...rows].sort((a, b) => a.openedAt.localeCompare(b.openedAt) || by(a.caseId, b.caseId));
    expect(rows.map((r) => r.caseId)).toEqual(expected.map((r) => r.caseId));
    expect(await walk("oldest")).toEqual(rows.map((r) => r.caseId));
  });

  it("recently active first: by the case's updated time, newest first, then its id, highest first", async () => {
    const rows = await all("recent");
    const expected = [...rows].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || by(b.caseId, a.caseId));
    expect(rows.map((r) => r.caseId)).toEqual(expected.map((r) => r.caseId));
    expect(await walk("recent")).toEqual(rows.map((r) => r.caseId));
  });

  it("risk, oldest, recent: cases closed from each page push none past the next page, and none repeats", async () => {
    for (const sort of ["risk", "oldest", "recent"] as const) {
      const before = (await all(sort)).map((r) => r.caseId);
      // the page's first two dismissed, as a reviewer works it
      const dismissed: string[] = [];
      const seen = await walk(sort, async (page) => {
        for (const id of page.slice(0, 2)) await store.act(id, rev, { action: "dismiss", reason: "duplicate" });
        dismissed.push(...page.slice(0, 2));
      });
      expect(seen, sort).toEqual(before);
      // back for the next order
      for (const id of dismissed) await store.act(id, rev, { action: "reopen", note: "again for the next order" });
      await spread();
    }
  });

  it("recently active: a case on a later page that gets an alert moves above the page shown, and is not shown twice", async () => {
    const before = (await all("recent")).map((r) => r.caseId);
    let moved: string | undefined;
    const seen = await walk("recent", async (page) => {
      if (moved) return;
      // a new alert on the second page's last case while the first page is read
      moved = before[13];
      const m = (await db.query<{ merchant_id: string }>("SELECT merchant_id FROM mt_cases WHERE case_id = $1::bigint", [moved])).rows[0]!.merchant_id;
      await record(db, caseAlert({ alertId: "qs-late", merchantId: m, raisedAt: "2026-03-09T00:00:00Z" }));
      expect(page).not.toContain(moved);
    });
    expect(seen).toEqual(before.filter((id) => id !== moved));
    expect((await all("recent"))[0]!.caseId).toBe(moved);
  });

  it("refuses a place from another order, saying which", async () => {
    const q = await store.queue({ sort: "oldest", pageSize: 3 });
    await expect(store.queue({ sort: "recent", after: q.next })).rejects.toThrow(/sorted by oldest, not by recent/);
    await expect(store.queue({ after: q.next })).rejects.toThrow(/sorted by oldest, not by risk/);
    // a risk link of before the choice of order still pages
    const r = await store.queue({ pageSize: 3 });
    expect((await store.queue({ pageSize: 3, after: r.next })).rows.map((x) => x.caseId)).toEqual((await all("risk")).slice(3, 6).map((x) => x.caseId));
  });
});
