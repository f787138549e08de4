// A decision counts only on the version of the case it was taken on: checked under the case row's lock, so one
// cannot pass the check and then be applied over a colleague's decision taken in between; API clients get the same check with If-Match
// (the ETag of GET /api/cases/:id), and a 409 with what changed and the case as it is.
import { describe, expect, it } from "vitest";
import { CaseStore } from "../src/cases/store.js";
import type { Db } from "../src/cases/db.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";
import { caseAlert, record, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const alert = (n: number, raisedAt: string) => caseAlert({ alertId: `atomic-${n}`, merchantId: "acq-test:M-ATOMIC", raisedAt });

const openWeb = embeddedWeb();

async function setup() {
  const { db, auth, app } = await openWeb();
  const id = await recordCase(db, alert(1, "2026-03-01T00:00:00Z"));
  const tokens: Record<string, { authorization: string }> = { ann: await bearer(auth, "ann"), bob: await bearer(auth, "bob") };
  const as = (who: string) => tokens[who]!;
  // decisions: opening the case (case-view) is a read
  const actions = async () => (await db.query<{ actor: string; action: string }>("SELECT actor, action FROM mt_audit WHERE case_id = $1::bigint AND action <> 'case-view' ORDER BY audit_id", [id])).rows;
  return { db, app, id, as, actions };
}

describe("a decision on an earlier version of the case", { timeout: 60_000 }, () => {
  it("is refused when a colleague's decision lands after the page's version was checked, before the action's transaction", async () => {
    const { db, id, as, actions } = await setup();
    // the same database, with bob's assignment committed just before the next transaction begins: what two
    // reviewers deciding at once (or a double click) come to when the check is not made under the row's lock
    let between: (() => Promise<unknown>) | undefined;
    const racing: Db = {
      query: (text, params) => db.query(text, params),
      tx: async (work) => {
        const first = between;
        between = undefined;
        await first?.();
        return db.tx(work);
      },
      close: () => db.close(),
    };
    const app = await buildWebServer({ db: racing, log: createLogger("silent" as "fatal") });
    try {
      const page = (await app.inject({ method: "GET", url: `/cases/${id}`, headers: as("ann") })).body;
      const hidden = decisionForm(page, "dismiss")!;
      between = () => new CaseStore(db, ["reviewer"]).act(id, { username: "bob", role: "reviewer" }, { action: "assign" });
      const r = await app.inject({
        method: "POST",
        url: `/cases/${id}/action`,
        headers: { ...as("ann"), "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ ...hidden, reason: "false-positive" }).toString(),
      });
      expect(r.statusCode).toBe(409);
      expect(r.body).toContain("it is now assigned to bob (was unassigned)");
      expect(await actions()).toEqual([{ actor: "bob", action: "assign" }]);
    } finally {
      await app.close();
    }
  });

  it("through the API with If-Match: the ETag of GET /api/cases/:id; 409 with what changed and the case as it is", async () => {
    const { db, app, id, as, actions } = await setup();
    const got = await app.inject({ method: "GET", url: `/api/cases/${id}`, headers: as("ann") });
    const etag = got.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(got.json().version).toBe(etag.slice(1, -1));
    const act = (who: string, body: object, ifMatch?: string) =>
      app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers: { ...as(who), ...(ifMatch !== undefined && { "if-match": ifMatch }) }, payload: body });

    const [a, b] = await Promise.all([act("ann", { action: "assign" }, etag), act("bob", { action: "assign" }, etag)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const [won, lost] = a.statusCode === 200 ? [a, b] : [b, a];
    const winner = won.json().assignee as string;
    expect(lost.json().changed).toEqual([`it is now in review (was open)`, `it is now assigned to ${winner} (was unassigned)`]);
    expect(lost.json().case).toMatchObject({ status: "in_review", assignee: winner });
    expect(lost.json().error).toMatch(/^nothing was done: case #\d+ changed since the version/);
    // the answer's ETag is the case as it is now: acting on it goes through
    expect(lost.headers.etag).toBe(won.headers.etag);
    expect((await act(winner, { action: "escalate" }, lost.headers.etag as string)).statusCode).toBe(200);

    // a new alert since is a change too
    const before = (await app.inject({ method: "GET", url: `/api/cases/${id}`, headers: as("ann") })).headers.etag as string;
    await record(db, alert(2, "2026-03-05T00:00:00Z"));
    const stale = await act("ann", { action: "report", reportRef: "HOTLINE-TEST-9" }, before);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().changed).toEqual(["a new alert came in (score 80, high)"]);

    // not a version: said so; no If-Match (or *): as before, on the case as it is
    const bad = await act("ann", { action: "report", reportRef: "HOTLINE-TEST-9" }, '"not-a-version"');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/If-Match: .* send the ETag of GET \/api\/cases\/:id/);
    expect((await act("ann", { action: "report", reportRef: "HOTLINE-TEST-9" }, "*")).statusCode).toBe(200);
    expect((await actions()).map((r) => r.action)).toEqual(["assign", "escalate", "report"]);
  });
});
