// The queue as a reviewer works it: riskiest first. A rule can make a case critical whatever its score (an indicator
// match at high confidence), so severity comes before score; then the oldest; paging never shows a case twice.
import { describe, expect, it } from "vitest";
import { recordAlerts } from "../src/cases/record.js";
import { CONSOLE } from "../src/web/auth.js";
import { embeddedWeb } from "./helpers/web.js";
import type { Alert } from "../src/decode/events.js";

const alert = (merchant: string, raisedAt: string, score: number, severity: Alert["severity"]): Alert => ({
  alertId: `order-${merchant}`,
  merchantId: `acq-test:${merchant}`,
  raisedAt,
  score,
  severity,
  typologies: ["excessive-disputes"],
  signals: [{ rule: "early-warning-disputes", version: "v1", kind: "chargeback-ratio", value: 0.03, threshold: 0.01, explanation: "chargeback ratio 3.00%", evidence: { eventIds: [] } }],
  ruleSet: { id: "default", version: "sha256:00" },
  context: { events: [], activity: [] },
});

const openWeb = embeddedWeb();

describe("the case queue's order", { timeout: 60_000 }, () => {
  it("puts a critical case before higher-scored high ones, then score, then the oldest, and pages stably", async () => {
    const { db, auth, app } = await openWeb();
    await db.tx((q) =>
      recordAlerts(
        q,
        [
          alert("M-HIGH-95", "2026-03-01T00:00:00Z", 95, "high"),
          alert("M-HIGH-90", "2026-03-02T00:00:00Z", 90, "high"),
          alert("M-CRIT-77", "2026-03-03T00:00:00Z", 77, "critical"),
          alert("M-CRIT-77-LATER", "2026-03-04T00:00:00Z", 77, "critical"),
          alert("M-MED-99", "2026-03-01T00:00:00Z", 99, "medium"),
          // same severity, score and opening: the case id decides, so a page boundary cannot split them twice
          alert("M-TIE-A", "2026-03-05T00:00:00Z", 60, "low"),
          alert("M-TIE-B", "2026-03-05T00:00:00Z", 60, "low"),
        ],
        { acquirerOf: () => "acq-test", webhooks: false },
      ),
    );
    await auth.addUser(CONSOLE, { username: "ann", role: "reviewer", password: "ann-password-long" });
    const headers = { authorization: `Bearer ${(await auth.createToken(CONSOLE, "ann", "test")).token}` };
    const expected = ["M-CRIT-77", "M-CRIT-77-LATER", "M-HIGH-95", "M-HIGH-90", "M-MED-99"].map((m) => `acq-test:${m}`);

    const all = (await app.inject({ method: "GET", url: "/api/cases", headers })).json<{ rows: { merchantId: string; caseId: string }[] }>().rows;
    expect(all.map((r) => r.merchantId).slice(0, 5)).toEqual(expected);
    const ties = all.slice(5);
    expect(ties.map((r) => r.merchantId).sort()).toEqual(["acq-test:M-TIE-A", "acq-test:M-TIE-B"]);
    expect(Number(ties[0]!.caseId)).toBeLessThan(Number(ties[1]!.caseId));

    const paged: string[] = [];
    for (let page = 1; page <= all.length; page++)
      paged.push(...(await app.inject({ method: "GET", url: `/api/cases?pageSize=1&page=${page}`, headers })).json<{ rows: { merchantId: string }[] }>().rows.map((r) => r.merchantId));
    expect(paged).toEqual(all.map((r) => r.merchantId));

    // the page lists them the same way
    const page = await app.inject({ method: "GET", url: "/cases", headers });
    const listed = [...page.body.matchAll(/<tr data-case="\d+"><td><a href="\/cases\/\d+">#\d+<\/a><\/td><td><a href="\/cases\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(listed).toEqual(all.map((r) => r.merchantId));
  });
});
