// A member's new version of a set whose entries have all expired (a validUntil a year early, say) went out without
// a word: subscribers took it in place of the version in force and matched nothing from then on, every entry of the
// set withdrawn by a typo. publish refuses it before it connects, saying the latest validUntil and what to do (mark
// entries revoked to withdraw them; correct the dates). Expired entries beside live ones (a set's history) go out
// unremarked; revoked entries are withdrawn on purpose and count for neither.
import { describe, expect, it } from "vitest";
import { publishBeforeConnect } from "./helpers/publish.js";

const { setFile, publish } = publishBeforeConnect("mt-publish-expired-", { id: "hotline-z-list", version: 3, publisher: { id: "member:hotline-z" } });

const hashed = (id: string, validUntil?: string, revoked?: true) => ({
  id,
  kind: "domain-sha256" as const,
  value: `sha256:${id.charCodeAt(id.length - 1).toString(16).padStart(2, "0").repeat(32)}`,
  confidence: 90,
  tlp: "green" as const,
  validFrom: "2025-01-01T00:00:00Z",
  ...(validUntil && { validUntil }),
  ...(revoked && { revoked }),
});

describe("indicators publish: expired entries", () => {
  it("refuses a set whose every entry not revoked has expired, before it connects", { timeout: 60_000 }, () => {
    const r = publish(setFile("all.json", [hashed("z-1", "2025-12-01T00:00:00Z"), hashed("z-2", "2025-12-31T00:00:00Z"), hashed("z-3", undefined, true)]));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "every entry of set hotline-z-list that is not revoked has expired (2: z-1, z-2; the latest validUntil 2025-12-31T00:00:00Z): subscribers would take version 3 in place of the version in force and match none of them. " +
        "To withdraw entries, mark them revoked: true; if a date is wrong, correct it, sign the set again and publish that; nothing was published",
    );
    expect(r.stderr).not.toContain("cannot reach Kafka");
  });

  it("says nothing of expired entries beside live ones (a set's history), and publishes", { timeout: 60_000 }, () => {
    const r = publish(setFile("some.json", [hashed("z-1", "2025-12-01T00:00:00Z"), hashed("z-2", "2099-01-01T00:00:00Z"), hashed("z-3")]));
    expect(r.stderr).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1/);
  });

  it("counts no revoked entry: expired and revoked beside live, or every entry revoked (a withdrawal), goes out", { timeout: 60_000 }, () => {
    for (const entries of [[hashed("z-1", "2025-12-01T00:00:00Z", true), hashed("z-2")], [hashed("z-1", "2025-12-01T00:00:00Z", true), hashed("z-2", undefined, true)]])
      expect(publish(setFile("none.json", entries)).stderr).toMatch(/^error: cannot reach Kafka/);
  });
});
