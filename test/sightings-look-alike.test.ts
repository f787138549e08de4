// A closed case's sightings tell each publisher whether the entries its case cited were right. An entry cited only
// because a merchant's host is drawn like its listed name (evidence matchedAs.lookAlike) was not seen: a "dismissed"
// sighting would lower a correct entry's standing at its publisher for another host, a "confirmed" one would claim a
// sighting that did not happen. Such entries are left out of sightings; an entry a later alert matched as listed is in.
import { describe, expect, it } from "vitest";
import { stixIndicatorId } from "../src/indicators/stix.js";
import { caseAlert, record, openCaseOf } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const HOST = { host: "shop-a.example", urlSha256: `sha256:${"ab".repeat(32)}` };
const LISTED = { set: "set-l", id: "listed-1", source: "member:hotline-a.example", confidence: 90 };
const LOOK = { set: "set-l", id: "look-1", source: "member:hotline-a.example", confidence: 90, matchedAs: { ...HOST, lookAlike: true as const } };
const LATER = { set: "set-l", id: "later-1", source: "member:hotline-a.example", confidence: 90 };

const cite = (alertId: string, raisedAt: string, merchantId: string, indicators: object[]) =>
  caseAlert({
    alertId,
    merchantId,
    raisedAt,
    score: 90,
    typologies: ["linked-to-flagged"],
    signals: [{ rule: "flagged-site-link", version: "v1", kind: "flagged-site-link", value: 90, threshold: 50, explanation: "links to a flagged site", evidence: { eventIds: [], indicators: indicators as never } }],
  });

const openWeb = embeddedWeb();

describe("sightings of entries cited only as look-alikes", { timeout: 60_000 }, () => {
  it("leave them out, keep the entries matched as listed, and refuse a case that cites only look-alikes", async () => {
    const { db, auth, app } = await openWeb();
    const headers = await bearer(auth, "ann");
    const sightingsOf = async (merchantId: string) => {
      const id = await openCaseOf(db, merchantId);
      const act = (body: object) => app.inject({ method: "POST", url: `/api/cases/${id}/actions`, headers, payload: body });
      expect((await act({ action: "assign" })).statusCode).toBe(200);
      expect((await act({ action: "dismiss", reason: "false-positive" })).statusCode).toBe(200);
      return app.inject({ method: "GET", url: `/api/cases/${id}/sightings`, headers });
    };
    const refs = (body: { objects: { type: string; sighting_of_ref?: string }[] }) =>
      body.objects.filter((o) => o.type === "sighting").map((o) => o.sighting_of_ref).sort();

    // LATER is first cited as a look-alike, then matched as listed by a later alert of the same case
    await record(
      db,
      cite("a-1", "2026-03-01T00:00:00Z", "acq-test:M-LA1", [LISTED, LOOK, { ...LATER, matchedAs: { ...HOST, lookAlike: true } }]),
      cite("a-2", "2026-03-02T00:00:00Z", "acq-test:M-LA1", [LATER]),
    );
    const mixed = await sightingsOf("acq-test:M-LA1");
    expect(mixed.statusCode, mixed.body).toBe(200);
    expect(refs(mixed.json())).toEqual([stixIndicatorId(LISTED.set, LISTED.id), stixIndicatorId(LATER.set, LATER.id)].sort());

    await record(db, cite("b-1", "2026-03-01T00:00:00Z", "acq-test:M-LA2", [LOOK]));
    const only = await sightingsOf("acq-test:M-LA2");
    expect(only.statusCode).toBe(409);
    expect(only.json().error).toMatch(/only as look-alike/);
  });
});
