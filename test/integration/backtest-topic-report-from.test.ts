// backtest --topic --report-from: as from a file, the messages dated before the report's start are run to build the
// state and count in nothing. March's disputes on a topic of two partitions carry M1's ratio over the line in
// April: an April report alerts it with the warm state, and an April window run cold (--from) does not.
import { describe, expect, it } from "vitest";
import { readTopicRange } from "../../src/source/kafka-range.js";
import type { BacktestInput } from "../../src/app/backtest.js";
import { backtestTables } from "../../src/app/backtest-report.js";
import { M1 } from "../helpers/events.js";
import { APRIL, eightAgainstTen, marchAndApril } from "../helpers/backtest-report-from.js";
import { createTopics, freshNames, kafka, sendMessages } from "./harness.js";

describe("backtest from a topic with --report-from", () => {
  it("builds the state from the messages before it and reports from then on", { timeout: 180_000 }, async () => {
    const n = freshNames("bt-report-from");
    await createTopics(n, 2);
    const events = marchAndApril();
    // keyed by merchant, as `run` takes them: each merchant's events in one partition, in order
    await sendMessages(
      n.events,
      events.map((e) => ({ key: e.merchantId, value: JSON.stringify(e) })),
    );
    const run = (o: Partial<BacktestInput>) => eightAgainstTen({ name: `topic ${n.events}`, batches: readTopicRange(kafka(), n.events) }, o);

    const cold = await run({ from: { time: APRIL } });
    expect(cold.overall.a.alerted).toBe(0);
    expect(cold.events.outsideWindow).toBe(724);

    const warm = await run({ reportFrom: { time: APRIL } });
    expect(warm.overall.a).toMatchObject({ alerted: 1, truePositives: 1, falseNegatives: 0, alertedBefore: 1 });
    expect(warm.alertsRemoved.map((m) => m.merchantId)).toEqual([M1]);
    expect(warm.events).toMatchObject({ processed: 767, beforeReport: 724, merchants: 2 });
    expect(backtestTables(warm).split("\n")[0]).toBe(
      `767 events from topic ${n.events}; reported from ${APRIL} to the end: the 724 events before ${APRIL} only built the state (as live had it), and the merchants (2), hits and alerts are those from then on`,
    );
  });
});
