// A key left out of an API request or of an event reads "missing: this key is required (...)", as in files
// (zodIssues): zod's own words, "Invalid input: expected string, received undefined" or "Invalid discriminator
// value", sent reviewers and producers looking for a wrong value that was never sent. A schema's own message stays.
import { describe, expect, it } from "vitest";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { decode } from "../src/decode/decode.js";

// the contract's required keys only: no context, a signal without the optional kind and explanation
const alert = caseAlert({
  alertId: "missing-1",
  score: 70,
  typologies: ["card-testing"],
  signals: [{ rule: "card-testing", version: "v1", value: 20, threshold: 12, evidence: { eventIds: ["e-1"] } }],
  context: undefined,
});

const openWeb = embeddedWeb();

describe("an API request without a required key", { timeout: 60_000 }, () => {
  it("is refused naming the key as missing and what it must hold; a schema's own message is kept", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, alert);
    const rev = await bearer(auth, "rev");
    const adm = await bearer(auth, "adm", "admin");
    const error = async (method: "POST" | "PATCH", url: string, headers: Record<string, string>, payload: object) => {
      const r = await app.inject({ method, url, headers, payload });
      expect(r.statusCode).toBe(400);
      return (r.json() as { error: string }).error;
    };

    const act = (payload: object) => error("POST", `/api/cases/${caseId}/actions`, rev, payload);
    expect(await act({})).toBe('action: missing: this key is required (one of "assign"|"escalate"|"report"|"dismiss"|"close-account"|"reopen")');
    await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: rev, payload: { action: "assign" } });
    await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: rev, payload: { action: "escalate" } });
    expect(await act({ action: "report" })).toBe("reportRef: missing: this key is required (string)");
    expect(await act({ action: "dismiss" })).toBe(
      'reason: missing: this key is required (one of "false-positive"|"legitimate-business"|"duplicate"|"insufficient-evidence")',
    );
    // a value that is there but wrong keeps zod's words
    expect(await act({ action: "fly" })).toMatch(/^action: Invalid discriminator value/);

    expect(await error("POST", "/api/users", adm, { username: "carl" })).toBe('role: missing: this key is required (one of "reviewer"|"rule-tuner"|"admin"|"auditor")');
    expect(await error("POST", "/api/users", adm, { role: "reviewer" })).toBe("username: missing: this key is required (string)");
    expect(await error("PATCH", "/api/users/rev", adm, {})).toBe('disabled: send {"disabled": true} to withdraw the user\'s access, false to give it back');
  });
});

describe("an event without a required key", () => {
  it("is dead-lettered naming the key as missing", () => {
    const noMerchant = decode('{"type":"merchant","eventId":"e-1","occurredAt":"2026-03-01T09:00:00Z","acquirerId":"acq-nl","descriptor":"X","mcc":"5967","country":"NL"}');
    expect(noMerchant).toMatchObject({ ok: false, kind: "schema", reason: "schema: merchantId: missing: this key is required (string)" });
    expect(decode('{"eventId":"e-9"}')).toMatchObject({
      ok: false,
      reason: 'schema: type: missing: this key is required (one of "merchant"|"transaction"|"chargeback"|"site_observation")',
    });
  });
});
