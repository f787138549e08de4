// The JSON case file (GET /cases/:id/export.json, /api/cases/:id/export) is written as its trail is read, a page
// at a time, not built in memory: its bytes for a small case must be what they were when it was built whole. The
// fixture was written by the whole-file version (before the stream) from this very case; the times of the run and
// the API tokens' ids differ between runs, and are replaced (timesReplaced) in it and here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { merchantTextAlert, recordCase } from "./helpers/cases.js";
import { syntheticPan } from "./helpers/card-numbers.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const PAN = syntheticPan("400012345678901");
const RED = { set: "red-set-only-here", id: "red-entry-7", source: "member:red-holder.example", confidence: 97, tlp: "red" };
const AMBER = { set: "amber-set", id: "amber-entry-1", source: "member:amber.example", confidence: 80, tlp: "amber" };
const FIXTURE = new URL("./fixtures/case-file-small.json", import.meta.url);

const alert = {
  ...merchantTextAlert("case-file-1", { legalName: "Canal Studio BV", descriptor: `CANAL*${PAN}`, websites: ["https://canal-studio.example/"] }, `CANAL STUDIO ${PAN}`),
  merchantId: "acq-test:M-FILE",
  score: 88,
  severity: "critical" as const,
  typologies: ["listed-identifier"],
  signals: [
    { rule: "listed-payout", version: "v1", kind: "listed-identifier", value: 97, threshold: 60, explanation: "payout account on an indicator list", evidence: { eventIds: ["e-1"], indicators: [RED, AMBER] } },
  ],
};

/**
 * Each time of the run replaced by T (which of them fall in one millisecond differs between runs) and each API
 * token's id by K<n>, n its order of first appearance (who used which token kept): every other byte as written.
 */
function timesReplaced(body: string): string {
  const seen = new Map<string, number>();
  return body
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, (t) => (t.startsWith("2026-03-01") ? t : "T")) // the event's own times are fixed
    .replace(/"token":"([0-9a-f]+)"/g, (_, t: string) => `"token":"K${seen.get(t) ?? seen.set(t, seen.size).get(t)}"`);
}

const openWeb = embeddedWeb();

describe("the JSON case file of a small case", { timeout: 60_000 }, () => {
  it("is byte for byte the file the whole-file version wrote (times and tokens replaced), on both routes", async () => {
    const { db, auth, app } = await openWeb();
    const id = await recordCase(db, alert);
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const act = (headers: { authorization: string }, body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: body });
    expect((await app.inject({ method: "GET", url: `/cases/${id}`, headers: ann })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: `/api/cases/${id}`, headers: bob })).statusCode).toBe(200);
    expect((await act(ann, { action: "assign" })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${id}/comments`, headers: ann, payload: { body: `customer quoted card ${PAN} at https://canal-studio.example/checkout` } })).statusCode).toBe(201);
    expect((await act(ann, { action: "report", reportRef: "HOTLINE-TEST-1" })).statusCode).toBe(200);
    // a sightings export naming the red entry: the file's trail withholds it
    expect((await app.inject({ method: "GET", url: `/api/cases/${id}/sightings?publisher=${encodeURIComponent(RED.source)}`, headers: bob })).statusCode).toBe(200);
    // a read of the trail: never in the file
    expect((await app.inject({ method: "GET", url: `/api/cases/${id}/audit`, headers: bob })).statusCode).toBe(200);

    const r = await app.inject({ method: "GET", url: `/cases/${id}/export.json`, headers: ann });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(r.headers["content-disposition"]).toBe(`attachment; filename="case-${id}.json"`);
    const expected = readFileSync(FIXTURE, "utf8").replaceAll("CASE_ID", id);
    expect(timesReplaced(r.body)).toBe(expected);

    const api = await app.inject({ method: "GET", url: `/api/cases/${id}/export`, headers: ann });
    expect(api.statusCode).toBe(200);
    expect(api.headers["content-type"]).toBe("application/json; charset=utf-8");
    // this file's trail has the first file's export row in it: all before it is the same
    const first = JSON.parse(r.body) as { audit: { auditId: string; action: string; actor: string; detail: Record<string, unknown> }[] };
    const second = JSON.parse(api.body) as typeof first;
    expect(second.audit.slice(0, first.audit.length)).toEqual(first.audit);
    expect(second.audit.slice(first.audit.length).map((a) => [a.action, a.actor])).toEqual([["export", "ann"]]);
    // the export is recorded before its rows are read, with how many it gives and the newest one's id
    expect(second.audit.at(-1)!.detail).toMatchObject({ form: "json", rows: first.audit.length, through: first.audit.at(-1)!.auditId });
  });
});
