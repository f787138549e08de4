// Cases reopened before a reopen unassigned them (c3fbb03) stayed open yet assigned to whoever had closed them:
// counted as theirs in the Waiting line and hidden from the unassigned filter, though nobody had taken them.
// Migration 35 unassigns them as a reopen now does, each with an audit row that says whose it was and why; cases in
// review, escalated or closed keep their assignee, and no case's updated time moves.
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/sinks/postgres/migrations.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("migration 35", { timeout: 60_000 }, () => {
  it("unassigns the cases a reopen left assigned, with an audit row each, and nothing else", async () => {
    const { db, auth, app } = await openWeb();
    const rev = await bearer(auth, "rev");
    const ann = await bearer(auth, "ann");
    const act = (who: { authorization: string }, id: string, body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: who, payload: body });
    const reopened = await recordCase(db, caseAlert({ alertId: "mig35-1", merchantId: "acq-test:M-1" }));
    const inReview = await recordCase(db, caseAlert({ alertId: "mig35-2", merchantId: "acq-test:M-2" }));
    const closed = await recordCase(db, caseAlert({ alertId: "mig35-3", merchantId: "acq-test:M-3" }));
    for (const id of [reopened, closed]) {
      expect((await act(rev, id, { action: "assign" })).statusCode).toBe(200);
      expect((await act(rev, id, { action: "dismiss", reason: "duplicate" })).statusCode).toBe(200);
    }
    expect((await act(ann, reopened, { action: "reopen", note: "new evidence from the hotline" })).statusCode).toBe(200);
    expect((await act(ann, inReview, { action: "assign" })).statusCode).toBe(200);
    // as a reopen before c3fbb03 left it
    await db.query("UPDATE mt_cases SET assignee = 'rev' WHERE case_id = $1::bigint", [reopened]);
    const cases = () => db.query<{ case_id: string; status: string; assignee: string | null; updated_at: unknown }>("SELECT case_id::text, status, assignee, updated_at FROM mt_cases ORDER BY case_id");
    const before = (await cases()).rows;

    const migration = MIGRATIONS.find((m) => m.version === 35);
    expect(migration?.name).toBe("cases reopened while assigned are nobody's");
    await db.query(migration!.sql);

    expect((await cases()).rows).toEqual(before.map((c) => (c.case_id === reopened ? { ...c, assignee: null } : c)));
    const rows = (await db.query<Record<string, unknown>>("SELECT actor, role, action, case_id::text, target, before, after, detail FROM mt_audit WHERE actor = 'console' AND case_id IS NOT NULL")).rows;
    expect(rows).toEqual([
      {
        actor: "console",
        role: "admin",
        action: "assign",
        case_id: reopened,
        target: "acq-test:M-1",
        before: { status: "open", assignee: "rev", reportRef: null, dismissReason: null, terminationRef: null },
        after: { status: "open", assignee: null, reportRef: null, dismissReason: null, terminationRef: null },
        detail: { note: expect.stringMatching(/^unassigned by the upgrade \(migration 35\): .*stayed rev's though open/) },
      },
    ]);

    // rev's queue no longer counts it as theirs; it is among the unassigned, and its page says why in the timeline
    const line = (await app.inject({ method: "GET", url: "/cases", headers: rev })).body;
    expect(/<p id="waiting">(.*?)<\/p>/s.exec(line)![1]!.replace(/<[^>]+>/g, "")).toBe("Waiting: 1 unassigned · 0 assigned to you · 0 escalated · 2 active in all.");
    const page = (await app.inject({ method: "GET", url: `/cases/${reopened}`, headers: rev })).body;
    expect(page).toMatch(/assign by <strong>console<\/strong>: assignee: rev → none; note: unassigned by the upgrade \(migration 35\)/);
  });
});
