// backtest --report-from: a labelled positive alerted before the report's start and not again inside it was counted as
// a false negative ("missed") and lowered recall, so a tuner read it as a miss of the rules. It is counted apart
// (alertedBefore, "alerted before the window"), in neither the misses nor recall, in the JSON, the terminal tables and
// the HTML alike. Without --report-from nothing is alerted before the window and the figures are as they were.
import { describe, expect, it } from "vitest";
import type { BacktestInput, BacktestResult, Truth } from "../src/app/backtest.js";
import { backtestHtml, backtestTables } from "../src/app/backtest-report.js";
import type { Event } from "../src/decode/events.js";
import type { Line } from "../src/source/ndjson.js";
import { M2 } from "./helpers/events.js";
import { APRIL, LABELS, eightAgainstTen, marchAndApril } from "./helpers/backtest-report-from.js";

async function* linesOf(es: Event[]): AsyncGenerator<Line[]> {
  yield es.map((e, i) => ({ n: i + 1, bytes: Buffer.from(JSON.stringify(e)) }));
}

const run = (o: Partial<BacktestInput>): Promise<BacktestResult> => eightAgainstTen({ name: "events.ndjson", batches: linesOf(marchAndApril()) }, o);

/** M2 labelled with the rule's typology too, for the per-typology recall */
const TYPED: Truth = { ...LABELS, merchants: { ...LABELS.merchants, [M2]: { label: "positive", typologies: ["excessive-disputes"], detail: "positive" } } };

describe("backtest --report-from: positives alerted before the window", () => {
  it("are counted apart, not as missed, and left out of recall", async () => {
    const r = await run({ reportFrom: { time: APRIL } });
    // A: M1 caught in April, M2 alerted in March only; B: M1 missed, M2 alerted in March only
    expect(r.overall.a).toMatchObject({ alerted: 1, truePositives: 1, falseNegatives: 0, alertedBefore: 1, recall: 1, f1: 1 });
    expect(r.overall.b).toMatchObject({ alerted: 0, truePositives: 0, falseNegatives: 1, alertedBefore: 1, recall: 0 });
    // every labelled positive is in one of the three
    for (const c of [r.overall.a, r.overall.b]) expect(c.truePositives + c.falseNegatives + c.alertedBefore).toBe(r.labels!.positives);
  });

  it("counts a positive alerted before the window and again inside it as caught", async () => {
    // from the middle of March on, M2's alert (raised by the 8th dispute at minCount 8) is before the window in A;
    // at minCount 10 B raises it at the 10th, after: the same merchant is "before" in A only
    const mid = marchAndApril().filter((e) => e.merchantId === M2 && e.type === "chargeback")[8]!.occurredAt;
    const r = await run({ reportFrom: { time: mid } });
    expect(r.overall.a).toMatchObject({ alertedBefore: 1, falseNegatives: 0 });
    expect(r.overall.b).toMatchObject({ truePositives: 1, alertedBefore: 0 });
  });

  it("a merchant gained or lost inside the window that a side alerted before it says so", async () => {
    // as above: A alerted M2 before the report's start, B after it, so B "gains" it in the window
    const mid = marchAndApril().filter((e) => e.merchantId === M2 && e.type === "chargeback")[8]!.occurredAt;
    const r = await run({ reportFrom: { time: mid } });
    expect(r.alertsAdded.find((m) => m.merchantId === M2)).toMatchObject({ alertedBeforeIn: ["a"] });
    expect(r.alertsAdded.filter((m) => m.merchantId !== M2).every((m) => m.alertedBeforeIn === undefined)).toBe(true);
    expect(backtestTables(r)).toMatch(new RegExp(`alerted only in B \\(A alerted it before the window\\)\\s*│ ${M2}\\s*│ positive`));
    expect(backtestHtml(r)).toContain(`<td>alerted only in B (A alerted it before the window)</td><td>${M2}</td>`);
  });

  it("per typology alike", async () => {
    const r = await run({ reportFrom: { time: APRIL }, truth: TYPED });
    const t = r.typologies.find((x) => x.typology === "excessive-disputes")!;
    expect(t.a).toMatchObject({ alertedBefore: 1, recall: 1 });
    expect(t.b).toMatchObject({ alertedBefore: 1, recall: 0 });
  });

  it("the tables and the page say how many, and that they are not counted as missed", async () => {
    const r = await run({ reportFrom: { time: APRIL } });
    const text = backtestTables(r);
    expect(text).toContain(
      `Alerted before the window: 1 labelled positive in A, 1 in B (alerted before ${APRIL} and not again from then on): not counted as missed, and left out of recall.`,
    );
    expect(text).toMatch(/│ positives alerted before the window\s+│ 1\s+│ 1\s+│ 0\s+│/);
    const html = backtestHtml(r);
    expect(html).toContain("<tr><td>positives alerted before the window</td><td class=\"n\">1</td><td class=\"n\">1</td></tr>");
    expect(html).toContain(`Alerted before the window: 1 labelled positive in A, 1 in B (alerted before ${APRIL} and not again from then on)`);
  });

  it("without --report-from, nothing is alerted before the window and no row or line says it", async () => {
    const r = await run({});
    expect(r.overall.a).toMatchObject({ alerted: 2, falseNegatives: 0, alertedBefore: 0, recall: 1 });
    expect(r.overall.b).toMatchObject({ alerted: 1, falseNegatives: 1, alertedBefore: 0, recall: 0.5 });
    expect(backtestTables(r)).not.toContain("before the window");
    expect(backtestHtml(r)).not.toContain("before the window");
  });
});
