// A case's webhook delivery given up was only a log line: the reviewer never learned that the bank's case system did
// not get the case. The give-up now writes an audit row on the case in the same transaction (actor webhook, role
// system), and `moneytrail webhooks retry` one when it requeues the delivery (actor console); the case page's audit
// trail shows both. On PostgreSQL and on the embedded PGlite.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/cases/db.js";
import { recordAlerts } from "../../src/cases/record.js";
import { CaseStore, type AuditRow } from "../../src/cases/store.js";
import { requeueFailed, WebhookDispatcher } from "../../src/cases/webhook.js";
import { createLogger } from "../../src/lib/log.js";
import { casePage } from "../../src/web/pages/case.js";
import { bothDatabases, reviewAlert } from "./harness.js";

/** A URL on which nothing listens (the port was just bound and released), with a token in its query as some have. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/hooks?token=placeholder-token`;
}

describe.each(bothDatabases("whaudit"))("a webhook delivery given up, on %s", (_name, open) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db.close();
  });

  it("is in the case's audit trail (actor webhook), and so is its requeue (actor console); the case itself is unchanged", async () => {
    const merchant = "acq-test:M-4401";
    await db.tx((q) => recordAlerts(q, [reviewAlert("wh", 1, merchant)], { acquirerOf: () => "acq-test", webhooks: true }));
    const { case_id: caseId, delivery_id: deliveryId } = (
      await db.query<{ case_id: string; delivery_id: string }>(
        "SELECT c.case_id::text, w.delivery_id::text FROM mt_cases c JOIN mt_webhooks w USING (case_id) WHERE c.merchant_id = $1",
        [merchant],
      )
    ).rows[0]!;
    const store = new CaseStore(db, ["reviewer"]);
    const before = (await store.get(caseId)).case;
    const audit = async (): Promise<AuditRow[]> => (await store.get(caseId)).audit;

    const url = await deadUrl();
    const d = new WebhookDispatcher({ db, url, secret: "a-test-secret-of-16+", log: createLogger("fatal"), baseDelayMs: 10, maxAttempts: 2 });
    expect(await d.runOnce()).toEqual({ delivered: 0, failed: 0, retried: 1 });
    // a failure that is retried is no news for the case
    expect(await audit()).toEqual([]);
    let given = 0;
    for (let i = 0; i < 100 && given === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      given = (await d.runOnce()).failed;
    }
    expect(given).toBe(1);

    const [row] = await audit();
    expect(row).toMatchObject({
      actor: "webhook",
      role: "system",
      action: "webhook-given-up",
      caseId,
      target: new URL(url).origin,
      detail: { deliveryId, event: "case.high-severity", attempts: 2, lastError: "ECONNREFUSED" },
    });
    // the receiver's URL may carry a token: the trail names its origin only
    expect(JSON.stringify(await audit())).not.toContain("placeholder-token");
    // not an action on the case: a page loaded before is not refused as stale (caseVersion)
    expect((await store.get(caseId)).case).toEqual(before);

    expect(await requeueFailed(db, [deliveryId])).toEqual([deliveryId]);
    const trail = await audit();
    expect(trail.map((a) => [a.actor, a.role, a.action])).toEqual([
      ["webhook", "system", "webhook-given-up"],
      ["console", "admin", "webhook-requeued"],
    ]);
    expect(trail[1]).toMatchObject({ caseId, detail: { deliveryId, event: "case.high-severity" } });
    // nothing else to requeue: no further row
    expect(await requeueFailed(db)).toEqual([]);
    expect(await audit()).toHaveLength(2);

    // the case page's audit trail shows both, who and what
    const page = casePage({ username: "ann", role: "reviewer", csrf: "x" }, await store.get(caseId));
    const trailHtml = page.slice(page.indexOf('<table id="audit">'));
    expect(trailHtml).toContain("webhook (system)");
    expect(trailHtml).toContain("webhook-given-up");
    expect(trailHtml).toContain("ECONNREFUSED");
    expect(trailHtml).toContain("console (admin)");
    expect(trailHtml).toContain("webhook-requeued");
  });
});
