// The backtest's labels from reviewers' decisions in the case store, on the real PostgreSQL: reported or account
// closed is positive,
// dismissed as false-positive or legitimate-business is negative, anything else unknown; and the figures of a
// backtest scored against them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serverDb, type Db } from "../../src/cases/db.js";
import { backtest, dispositionsFrom, type Truth } from "../../src/app/backtest.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { readLineBatches } from "../../src/source/ndjson.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { SAMPLE_EVENTS, SAMPLE_INDICATORS, freshNames, freshSchema } from "./harness.js";

let db: Db;
let url: string;

async function addCase(merchantId: string, status: string, dismissReason: string | null, typologies: string[]): Promise<void> {
  await db.query(
    `INSERT INTO mt_cases (merchant_id, status, dismiss_reason, score, severity, typologies, opened_at, updated_at, last_alert_id)
     VALUES ($1, $2, $3, 80, 'high', $4, now(), now(), 'a-test')`,
    [merchantId, status, dismissReason, typologies],
  );
}

beforeAll(async () => {
  url = await freshSchema(freshNames("backtest"));
  db = await serverDb(url);
  await addCase("acq-nl:M-100001", "reported", null, ["linked-to-flagged"]);
  // dismissed as a duplicate first, reported later: positive
  await addCase("acq-nl:M-100003", "dismissed", "duplicate", ["excessive-disputes"]);
  await addCase("acq-nl:M-100003", "reported", null, ["excessive-disputes", "unrecognised-charges"]);
  await addCase("acq-fr:M-300005", "dismissed", "legitimate-business", ["subscription-pattern"]);
  await addCase("acq-nl:M-100004", "dismissed", "false-positive", ["excessive-disputes"]);
  await addCase("acq-fr:M-300004", "dismissed", "insufficient-evidence", ["card-testing"]);
  await addCase("acq-de:M-200001", "in_review", null, ["linked-to-flagged"]);
  // not in the events: left out of every figure
  await addCase("acq-nl:M-999999", "reported", null, ["listed-identifier"]);
  // the bank closed the account (after a report or without one): positive
  await addCase("acq-nl:M-999998", "account_closed", null, ["shared-infrastructure"]);
});
afterAll(async () => {
  await db?.close();
});

describe("backtest labels from dispositions", () => {
  let truth: Truth;
  beforeAll(async () => {
    truth = await dispositionsFrom(url);
  });

  it("reads reported and account closed as positive, the two clean dismissals as negative, nothing else", () => {
    expect(truth.merchants).toEqual({
      "acq-nl:M-100001": { label: "positive", typologies: ["linked-to-flagged"], detail: "reported" },
      "acq-nl:M-100003": { label: "positive", typologies: ["excessive-disputes", "unrecognised-charges"], detail: "reported" },
      "acq-fr:M-300005": { label: "negative", typologies: [], detail: "dismissed: legitimate-business" },
      "acq-nl:M-100004": { label: "negative", typologies: [], detail: "dismissed: false-positive" },
      "acq-nl:M-999999": { label: "positive", typologies: ["listed-identifier"], detail: "reported" },
      "acq-nl:M-999998": { label: "positive", typologies: ["shared-infrastructure"], detail: "account closed" },
    });
    expect(truth.source).toMatch(/^dispositions in mt_cases at /);
    expect(truth.source).not.toContain("postgres://");
  });

  it("scores a backtest against them: unknown merchants count in neither precision nor recall", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-backtest-rules-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const file = join(dir, "chargebacks.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("ratio: 0.01, minCount: 8", "ratio: 0.035, minCount: 8"));
    const r = await backtest({
      events: { name: SAMPLE_EVENTS, batches: readLineBatches(SAMPLE_EVENTS) },
      baseline: { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) },
      candidate: { name: dir, ruleSet: loadRuleSet(dir) },
      indicators: loadIndicators(SAMPLE_INDICATORS),
      truth,
    });
    expect(r.labels).toMatchObject({ positives: 2, negatives: 2, unknown: 75 });
    expect(r.overall.a).toEqual({ alerted: 12, truePositives: 2, falsePositives: 0, falseNegatives: 0, alertedBefore: 0, unlabelled: 10, precision: 1, recall: 1, f1: 1 });
    expect(r.overall.b).toMatchObject({ alerted: 11, truePositives: 1, falseNegatives: 1, precision: 1, recall: 0.5 });
    expect(r.alertsRemoved).toMatchObject([{ merchantId: "acq-nl:M-100003", label: "positive", detail: "reported" }]);
    // subscription-pattern hits the dismissed subscription service and the membership club no one decided on
    expect(r.rules.find((x) => x.rule === "subscription-pattern")!.a).toMatchObject({ hits: 2, precision: 0 });
    expect(r.typologies.find((t) => t.typology === "excessive-disputes")).toMatchObject({ a: { recall: 1 }, b: { recall: 0 } });
  });

  it("says so when the database has no case store", async () => {
    const empty = await freshSchema(freshNames("backtest-empty"));
    await expect(dispositionsFrom(empty)).rejects.toThrow(/no mt_cases table at .*: --dispositions needs the case store's database/);
  });
});
