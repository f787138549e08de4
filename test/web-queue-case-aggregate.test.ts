// A case gathers its merchant's alerts while open, and the queue reads it whole: a reviewer who filters by a
// typology finds every open case an alert named it on, not only those whose latest alert still does, and a case
// that was critical stays with the critical ones (and needs the critical dismissal's note) when a later alert on
// another rule comes in at a lower severity.
import { describe, expect, it } from "vitest";
import { caseAlert, openCaseOf, record } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import type { CaseRow } from "../src/cases/store.js";

const openWeb = embeddedWeb();

const listing = (merchantId: string, alertId: string, raisedAt: string) =>
  caseAlert({
    alertId,
    merchantId,
    raisedAt,
    score: 95,
    severity: "critical",
    typologies: ["listed-identifier"],
    signals: [{ rule: "listed-merchant", version: "v1", kind: "indicator", value: 95, threshold: 1, explanation: "merchant id listed by a coalition member", evidence: { eventIds: [], indicators: [{ set: "set-test", id: "ind-1", source: "member:test", confidence: 95 }] } }],
  });

describe("a case read whole from its alerts", { timeout: 60_000 }, () => {
  it("keeps every typology and the highest severity of its alerts for the queue's filter, order and the dismissal rule", async () => {
    const { db, auth, app } = await openWeb();
    const headers = await bearer(auth, "ann");
    // M-DROP: critical on a listed identifier, then (the listing's signal gone from the window) a dispute alert at medium
    await record(db, listing("acq-test:M-DROP", "agg-1", "2026-03-01T00:00:00Z"));
    await record(db, caseAlert({ alertId: "agg-2", merchantId: "acq-test:M-DROP", raisedAt: "2026-03-05T00:00:00Z", score: 45, severity: "medium" }));
    // M-HIGH: high all along, with a higher score than the dropped case's latest
    await record(db, caseAlert({ alertId: "agg-3", merchantId: "acq-test:M-HIGH", raisedAt: "2026-03-02T00:00:00Z", score: 80, severity: "high" }));
    const dropped = await openCaseOf(db, "acq-test:M-DROP");

    const queue = (query = "") => app.inject({ method: "GET", url: `/api/cases${query}`, headers }).then((r) => r.json<{ rows: CaseRow[] }>().rows);
    const listed = await queue("?typology=listed-identifier");
    expect(listed.map((r) => r.merchantId)).toEqual(["acq-test:M-DROP"]);
    expect(listed[0]!.typologies).toEqual(["listed-identifier", "excessive-disputes"]);
    const all = await queue();
    expect(all.map((r) => r.merchantId)).toEqual(["acq-test:M-DROP", "acq-test:M-HIGH"]);
    expect(all[0]).toMatchObject({ severity: "medium", peakSeverity: "critical", score: 45 });

    // the page says both: the case ranks as critical, its latest alert was medium
    const page = (await app.inject({ method: "GET", url: "/cases", headers })).body;
    expect(page).toMatch(new RegExp(`<tr data-case="${dropped}">.*?<span class="sev-critical">critical</span> <span class="muted">\\(latest alert: medium\\)</span>`, "s"));

    // dismissing it still needs the note saying why the listing does not hold
    const dismiss = await app.inject({ method: "POST", url: `/api/cases/${dropped}/actions`, headers, payload: { action: "dismiss", reason: "false-positive" } });
    expect(dismiss.statusCode).toBe(400);
    expect(dismiss.json<{ error: string }>().error).toMatch(/critical case/);
    const casePage = (await app.inject({ method: "GET", url: `/cases/${dropped}`, headers })).body;
    expect(casePage).toContain("why the match does not hold");
  });
});
