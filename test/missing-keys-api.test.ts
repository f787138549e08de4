// A key left out of an API request or of an event reads "missing: this key is required (...)", as in files
// (zodIssues): zod's own words, "Invalid input: expected string, received undefined" or "Invalid discriminator
// value", sent reviewers and producers looking for a wrong value that was never sent. A schema's own message stays.
import { describe, expect, it } from "vitest";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { decode } from "../src/decode/decode.js";

const openWeb = embeddedWeb();

describe("an API request without a required key", { timeout: 60_000 }, () => {
  it("is refused naming the key as missing and what it must hold; a schema's own message is kept", async () => {
    const { auth, app } = await openWeb();
    await bearer(auth, "rev");
    const adm = await bearer(auth, "adm", "admin");
    const error = async (method: "POST" | "PATCH", url: string, headers: Record<string, string>, payload: object) => {
      const r = await app.inject({ method, url, headers, payload });
      expect(r.statusCode).toBe(400);
      return (r.json() as { error: string }).error;
    };

    // a case action's keys say more: which form, which JSON field (case-action-field-refusals.test.ts)
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
