// Two reviewers on one case: a decision sent from a page that no longer shows the case as it is (a colleague acted
// on it, or a new alert came in, since it was loaded) is refused and the page shown afresh, instead of overriding
// what the reviewer never saw.
import { describe, expect, it } from "vitest";
import { caseAlert, record, recordCase } from "./helpers/cases.js";
import { bearer, decisionForm, embeddedWeb } from "./helpers/web.js";

const alert = (n: number, raisedAt: string, score: number) => caseAlert({ alertId: `stale-${n}`, raisedAt, score, severity: score >= 90 ? "critical" : "high" });

const openWeb = embeddedWeb();

async function setup() {
  const { db, auth, app } = await openWeb();
  const caseId = await recordCase(db, alert(1, "2026-03-01T00:00:00Z", 80));
  const tokens: Record<string, { authorization: string }> = { ann: await bearer(auth, "ann"), bob: await bearer(auth, "bob") };
  const as = (who: string) => tokens[who]!;
  /** the case page as `who` has it open: each decision's form fields, as the browser would send them */
  const openPage = async (who: string) => {
    const page = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: as(who) });
    expect(page.statusCode).toBe(200);
    return {
      send: (action: string, fields: Record<string, string> = {}) => {
        const hidden = decisionForm(page.body, action);
        expect(hidden, `${who}'s page offers ${action}`).toBeDefined();
        return app.inject({
          method: "POST",
          url: `/cases/${caseId}/action`,
          headers: { ...as(who), "content-type": "application/x-www-form-urlencoded" },
          payload: new URLSearchParams({ ...hidden, note: "", ...fields }).toString(),
        });
      },
    };
  };
  const current = async () => (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: as("ann") })).json<{ case: { status: string; assignee: string | null } }>().case;
  const actions = async () => (await db.query<{ actor: string; action: string }>("SELECT actor, action FROM mt_audit WHERE case_id = $1::bigint AND action NOT IN ('export', 'case-view') ORDER BY audit_id", [caseId])).rows;
  return { app, db, as, caseId, openPage, current, actions };
}

describe("a decision from a page that is out of date", { timeout: 60_000 }, () => {
  it("is refused when a colleague acted on the case since, and the page then shows what they did", async () => {
    const { openPage, current, actions } = await setup();
    const ann = await openPage("ann");
    // bob takes the case and escalates it while ann still reads her page, which shows it open and unassigned
    const bob = await openPage("bob");
    expect((await bob.send("assign")).statusCode).toBe(303);
    expect((await (await openPage("bob")).send("escalate", { note: "hotline asked" })).statusCode).toBe(303);

    const r = await ann.send("dismiss", { reason: "false-positive" });
    expect(r.statusCode).toBe(409);
    expect(r.body).toContain("Nothing was done");
    expect(r.body).toContain("bob");
    expect(r.body).toContain("escalated");
    expect(await current()).toMatchObject({ status: "escalated", assignee: "bob" });
    expect(await actions()).toEqual([
      { actor: "bob", action: "assign" },
      { actor: "bob", action: "escalate" },
    ]);
    // nor does her "Assign to me" take the case from bob behind his back
    expect((await ann.send("assign")).statusCode).toBe(409);
    expect(await current()).toMatchObject({ assignee: "bob" });

    // the page she is shown is the case as it is: deciding from it goes through
    expect((await (await openPage("ann")).send("dismiss", { reason: "false-positive" })).statusCode).toBe(303);
    expect(await current()).toMatchObject({ status: "dismissed" });
  });

  it("is refused when a new alert raised the case since, and the same form sent twice does not act twice", async () => {
    const { db, openPage, current, actions } = await setup();
    const ann = await openPage("ann");
    await record(db, alert(2, "2026-03-05T00:00:00Z", 95));
    const r = await ann.send("dismiss", { reason: "insufficient-evidence" });
    expect(r.statusCode).toBe(409);
    expect(r.body).toContain("a new alert");
    expect(await current()).toMatchObject({ status: "open", assignee: null });
    expect(await actions()).toEqual([]);

    const fresh = await openPage("ann");
    expect((await fresh.send("assign")).statusCode).toBe(303);
    // a second click, or Back and send again: the first one's effect is shown, not done again
    const again = await fresh.send("assign");
    expect(again.statusCode).toBe(409);
    expect(await actions()).toEqual([{ actor: "ann", action: "assign" }]);
  });
});
