// The shared-infrastructure rule's explanation in plain words (an alert's signal, the flagged table, the case page).
// It gave the finding's short form: "analytics-id with flagged merchant M", "listed ip (…)", key kinds as the rules
// file writes them, which a bank's compliance reviewer does not read. The finding's detail keeps that short form.
import { describe, expect, it } from "vitest";
import sharedInfrastructure from "../../src/rules/kinds/shared-infrastructure.js";

const explain = (detail: string) =>
  sharedInfrastructure.explain({ value: 1, threshold: 1, strength: 1, detail }, { via: ["ip", "analytics-id", "principal", "payout-account", "email"], minConfidence: 50 });

describe("shared-infrastructure's explanation", () => {
  it("says each key kind and the linked merchant's standing in words", () => {
    expect(explain("analytics-id with flagged merchant acq-nl:M-1")).toBe("shares an analytics ID with merchant acq-nl:M-1, flagged on its own evidence");
    expect(explain("payout-account with terminated merchant acq-nl:M-1 (account closed)")).toBe(
      "has the same payout account (hashed) as merchant acq-nl:M-1, whose account the bank closed",
    );
    expect(explain("principal with flagged merchant acq-nl:M-1; email with flagged merchant acq-nl:M-2; ip with terminated merchant acq-nl:M-3 (account closed)")).toBe(
      "shares a principal (owner or director, hashed) with merchant acq-nl:M-1, flagged on its own evidence; " +
        "has the same contact e-mail (hashed) as merchant acq-nl:M-2, flagged on its own evidence; " +
        "shares an IP address with merchant acq-nl:M-3, whose account the bank closed",
    );
  });

  it("says a link made by several keys of a kind once, with their count", () => {
    expect(explain("ip with flagged merchant acq-nl:M-1; ip with flagged merchant acq-nl:M-1; ip with flagged merchant acq-nl:M-3")).toBe(
      "shares 2 IP addresses with merchant acq-nl:M-1, flagged on its own evidence; shares an IP address with merchant acq-nl:M-3, flagged on its own evidence",
    );
  });

  it("says a listed IP or analytics ID with its entry and why it counts", () => {
    expect(explain("listed ip (infra-set/ip-1, confidence 70, counted from 50); listed analytics-id (infra-set/ga-1, confidence 80, counted from 50)")).toBe(
      "uses an IP address on an indicator list (entry infra-set/ip-1, confidence 70, counted from 50); " +
        "uses an analytics ID on an indicator list (entry infra-set/ga-1, confidence 80, counted from 50)",
    );
  });
});
