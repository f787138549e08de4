// Rule explanations in plain words. The chargeback ratio's explanation (an alert's signal, the flagged table, the case page) named the rule's
// `measure` as the rules file writes it ("(window; …", "(vamp; …") and left the count the level needs without a
// noun ("the level needs at least 8"): a reviewer reads neither. It says the measure in words, and what is counted.
import { describe, expect, it } from "vitest";
import chargebackRatio from "../../src/rules/kinds/chargeback-ratio.js";

const explain = (measure: "vamp" | "ecp" | "window", detail: string) =>
  chargebackRatio.explain({ value: 0.0172, threshold: 0.01, strength: 1, detail }, { measure, levels: [{ name: "l", ratio: 0.01, minCount: 8 }] });

describe("chargeback-ratio's explanation", () => {
  it("says the measure and the counted in words, not as the rules file writes them", () => {
    expect(explain("window", "early warning: 8 disputes and fraud reports over 464 settled card-not-present sales, this month and last; the level needs at least 8")).toBe(
      "chargeback ratio 1.72% at or above 1.00% (all card networks, this month and last; early warning: 8 disputes and fraud reports over 464 settled card-not-present sales, this month and last; the level needs at least 8 disputes and fraud reports)",
    );
    expect(explain("vamp", "VAMP excessive: …; the level needs at least 1500")).toBe(
      "chargeback ratio 1.72% at or above 1.00% (Visa Acquirer Monitoring Program measure; VAMP excessive: …; the level needs at least 1500 Visa disputes and fraud reports)",
    );
    expect(explain("ecp", "ECM: …; the level needs 100 to 300")).toBe(
      "chargeback ratio 1.72% at or above 1.00% (Mastercard Excessive Chargeback Program measure; ECM: …; the level needs 100 to 300 Mastercard disputes)",
    );
  });
});

describe("subscription-pattern's explanation", () => {
  it("says the price band in the currencies' units, not the rules file's minor units", async () => {
    const { default: subscriptionPattern } = await import("../../src/rules/kinds/subscription-pattern.js");
    const params = { minMinor: 900, maxMinor: 5000, currencies: ["EUR", "GBP", "USD", "CHF"], threshold: 0.6, minSales: 30, highRiskOnly: true };
    expect(subscriptionPattern.explain({ value: 1, threshold: 0.6, strength: 1, detail: "30 of 30" }, params)).toBe(
      "100.0% of card-not-present sales this month and last are recurring at 9.00 to 50.00 in EUR, GBP, USD, CHF (threshold 60.0% with at least 30 sales; 30 of 30 settled sales)",
    );
  });
});
