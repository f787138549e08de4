// TLP:RED indicators never leave the member that holds them (README): the case files that go into a hotline's or a
// regulator's report (the JSON case file, the printable file) leave them out and say so; the case page keeps them.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const RED = { set: "red-set-only-here", id: "red-entry-7", source: "member:red-holder.example", confidence: 97, tlp: "red" };
const AMBER = { set: "amber-set", id: "amber-entry-1", source: "member:amber.example", confidence: 80, tlp: "amber" };

const alert = caseAlert({
  alertId: "tlp-1",
  merchantId: "acq-test:M-RED",
  score: 88,
  severity: "critical",
  typologies: ["listed-identifier"],
  signals: [
    { rule: "listed-payout", version: "v1", kind: "listed-identifier", value: 97, threshold: 60, explanation: "payout account on an indicator list", evidence: { eventIds: [], indicators: [RED, AMBER] } },
  ],
});

const openWeb = embeddedWeb();

describe("TLP:RED indicators in a case's files", { timeout: 60_000 }, () => {
  it("are left out of the JSON case file and the printable file, which say how many and why; the case page shows them", async () => {
    const { db, auth, app } = await openWeb();
    const id = await recordCase(db, alert);
    const headers = await bearer(auth, "ann");
    const act = (body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: body });
    expect((await act({ action: "assign" })).statusCode).toBe(200);
    expect((await act({ action: "report", reportRef: "HOTLINE-TEST-1" })).statusCode).toBe(200);
    // the red indicator's publisher hears of it (its own file), and that export is in the case's audit trail
    expect((await app.inject({ method: "GET", url: `/api/cases/${id}/sightings?publisher=${encodeURIComponent(RED.source)}`, headers })).statusCode).toBe(200);

    const page = await app.inject({ method: "GET", url: `/cases/${id}`, headers });
    expect(page.body).toContain(RED.set);
    expect(page.body).toContain(RED.source);

    for (const url of [`/api/cases/${id}/export`, `/cases/${id}/export.json`, `/cases/${id}/print`]) {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, url).toBe(200);
      for (const leak of [RED.set, RED.id, RED.source]) expect(r.body, `${url} names ${leak}`).not.toContain(leak);
      expect(r.body, url).toContain(AMBER.set);
    }
    const file = (await app.inject({ method: "GET", url: `/api/cases/${id}/export`, headers })).json();
    expect(file.indicators.map((i: { id: string }) => i.id)).toEqual([AMBER.id]);
    expect(file.indicatorsWithheld.count).toBe(1);
    expect(file.indicatorsWithheld.reason).toMatch(/TLP:RED.*never leave the member/);
    expect(file.signals[0].evidence.indicators).toEqual([AMBER]);
    expect(file.alerts[0].signals[0].evidence.indicators).toEqual([AMBER]);
    const print = (await app.inject({ method: "GET", url: `/cases/${id}/print`, headers })).body;
    expect(print).toMatch(/1 indicator match is withheld from this file: TLP:RED/);
  });
});
