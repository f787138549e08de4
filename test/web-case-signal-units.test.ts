// "Why this merchant is here" set each signal's value against its threshold as the alert carries them: a chargeback
// ratio of 3.01% against 1.00% read "0.0301 | 0.01", a merchant category's 1.25× weight "1.25 | 1", the distinct
// cards of a card-testing burst a bare "15 | 12". A reviewer had to know each rule's internals to read the columns.
// They now say what they count, in the kind's unit; a kind the page does not know keeps the bare number.
import { describe, expect, it } from "vitest";
import { KINDS } from "../src/rules/registry.js";
import { SIGNAL_FIGURES } from "../src/web/pages/case.js";
import type { Alert } from "../src/decode/events.js";
import { caseAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

const signal = (kind: string, value: number, threshold: number): Alert["signals"][number] => ({ rule: `r-${kind}`, version: "v1", kind, value, threshold, explanation: `${kind} held`, evidence: { eventIds: [] } });

/** The signals table's rows: [rule, value, threshold], as text. */
const rows = (page: string) => {
  const table = page.slice(page.indexOf('<table id="signals"'), page.indexOf("</table>", page.indexOf('<table id="signals"')));
  return [...table.matchAll(/<tr><td>(r-[\w-]+)<br>.*?<\/td><td>.*?<\/td><td>(.*?)<\/td><td>(.*?)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
};

describe("a case's signals", { timeout: 60_000 }, () => {
  it("give each value and threshold in its unit, on the page and the printable file", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(
      db,
      caseAlert({
        alertId: "units-1",
        signals: [
          signal("chargeback-ratio", 0.0301, 0.01),
          signal("reason-cluster", 0.625, 0.6),
          signal("high-risk-mcc", 1.25, 1),
          signal("test-transactions", 15, 12),
          signal("descriptor-churn", 4, 3),
          signal("flagged-site-link", 90, 50),
          signal("cloaked-content", 1, 1),
          signal("someone-elses-kind", 7, 5),
        ],
      }),
    );
    const rev = await bearer(auth, "rev");
    const expected = [
      ["r-chargeback-ratio", "3.01%", "1.00%"],
      ["r-reason-cluster", "62.5%", "60.0%"],
      ["r-high-risk-mcc", "1.25×", "1×"],
      ["r-test-transactions", "15 distinct cards", "12 distinct cards"],
      ["r-descriptor-churn", "4 descriptors", "3 descriptors"],
      ["r-flagged-site-link", "confidence 90", "confidence 50"],
      ["r-cloaked-content", "1 cloaked page", "1 cloaked page"],
      ["r-someone-elses-kind", "7", "5"],
    ];
    for (const url of [`/cases/${caseId}`, `/cases/${caseId}/print`]) expect(rows((await app.inject({ method: "GET", url, headers: rev })).body)).toEqual(expected);
    // the API keeps the numbers as the alert carries them
    const api = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: rev })).json() as { alerts: Alert[] };
    expect(api.alerts[0]!.signals[0]).toMatchObject({ value: 0.0301, threshold: 0.01 });
  });

  it("have a unit for every rule kind the engine knows", () => {
    expect(KINDS.map((k) => k.kind).filter((k) => !Object.hasOwn(SIGNAL_FIGURES, k))).toEqual([]);
  });
});
