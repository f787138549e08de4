// The event-time hold's arithmetic (src/app/run/event-time.ts): each partition's limit from the rows its owners wrote,
// and which holds end, and how they are counted. The integration test (test/integration/event-time-hold.test.ts) runs
// it against Kafka and PostgreSQL.
import { describe, expect, it } from "vitest";
import { createMetrics } from "../src/app/metrics.js";
import { runConfig } from "../src/config/run.js";
import type { RunContext } from "../src/app/run/context.js";
import { EventTime, atEndOf, frontierOf, type EventTimes } from "../src/app/run/event-time.js";
import type { Owned, Partitions } from "../src/app/run/partitions.js";

const SLACK = 1000;
const DAY = 86_400_000;

function setup(partitions: number[], onRound: (e: EventTime, claimed: Set<Owned>) => void = () => undefined, slack: number | "off" = SLACK) {
  const metrics = createMetrics();
  const ctx = { cfg: { eventsTopic: "t", eventTimeSlackMs: slack === "off" ? undefined : slack, eventTimeMaxStallMs: 60_000 }, metrics } as unknown as RunContext;
  const owned = new Map(partitions.map((p) => [p, { limit: -Infinity, reached: 0, position: 0n, end: 10n } as Owned]));
  let rounds = 0;
  const claimed = () => new Set(owned.values());
  const eventTime: EventTime = new EventTime(ctx, { owned } as unknown as Partitions, async () => {
    rounds++;
    onRound(eventTime, claimed());
  });
  const holds = async () => (await metrics.registry.getSingleMetricAsString("moneytrail_event_time_holds_total")).split("\n").filter((l) => !l.startsWith("#"));
  const resumed: number[] = [];
  const hold = (p: number, at: number) => eventTime.hold(p, owned.get(p)!, at, () => resumed.push(p));
  return { eventTime, owned, claimed, holds, resumed, hold, rounds: () => rounds };
}

const row = (partition: number, reachedAt: number | null, o: { atEnd?: boolean; stale?: boolean } = {}): EventTimes["rows"][number] => ({
  partition,
  reachedAt,
  atEnd: o.atEnd ?? false,
  stale: o.stale ?? false,
});

describe("event-time hold", () => {
  // a hold costs the catch-up's speed (bench:kafka 10-25% at a week's slack): a site asks for it with MT_EVENT_TIME_SLACK_MS
  it("is off unless a slack is set: no partition is limited", () => {
    expect(runConfig({ KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" }).eventTimeSlackMs).toBeUndefined();
    const { eventTime, owned, claimed } = setup([0, 1], undefined, "off");
    for (const o of owned.values()) o.limit = Infinity;
    eventTime.apply({ rows: [row(0, 5 * DAY), row(1, 3 * DAY)], claimed: claimed() });
    expect([...owned.values()].map((o) => o.limit)).toEqual([Infinity, Infinity]);
  });

  it("limits each partition to the least advanced other partition with a backlog, plus the slack", () => {
    const { eventTime, owned, claimed } = setup([0, 1, 2]);
    eventTime.apply({ rows: [row(0, 5 * DAY), row(1, 3 * DAY), row(2, 9 * DAY, { atEnd: true }), row(3, 4 * DAY)], claimed: claimed() });
    // its own row does not count; one at its end holds no one back
    expect(owned.get(0)!.limit).toBe(3 * DAY + SLACK);
    expect(owned.get(1)!.limit).toBe(4 * DAY + SLACK);
    expect(owned.get(2)!.limit).toBe(3 * DAY + SLACK);
  });

  it("holds everything behind a partition claimed whose owner has written nothing yet, and nothing when all others are at their end", () => {
    const { eventTime, owned, claimed } = setup([0, 1]);
    eventTime.apply({ rows: [row(0, DAY), row(1, null)], claimed: claimed() });
    expect(owned.get(0)!.limit).toBe(-Infinity);
    eventTime.apply({ rows: [row(0, DAY), row(1, 2 * DAY, { atEnd: true })], claimed: claimed() });
    expect(owned.get(0)!.limit).toBe(Infinity);
  });

  it("leaves a partition claimed after the read held, until a read after its claim", () => {
    const { eventTime, owned } = setup([0, 1]);
    eventTime.apply({ rows: [row(0, DAY), row(1, DAY)], claimed: new Set([owned.get(0)!]) });
    expect(owned.get(0)!.limit).toBe(DAY + SLACK);
    expect(owned.get(1)!.limit).toBe(-Infinity);
  });

  it("lets a hold go once the partition behind passes it, counted caught-up; one passed over as stale, counted passed-over", async () => {
    const { eventTime, owned, claimed, holds, resumed, hold, rounds } = setup([0, 1]);
    hold(0, 5 * DAY);
    expect(owned.get(0)!.held).toBe(5 * DAY);
    expect(frontierOf(owned.get(0)!)).toBe(5 * DAY);
    expect(atEndOf(owned.get(0)!)).toBe(false);
    eventTime.apply({ rows: [row(1, 4 * DAY)], claimed: claimed() });
    expect(resumed).toEqual([]);
    eventTime.apply({ rows: [row(1, 5 * DAY)], claimed: claimed() });
    expect(resumed).toEqual([0]);
    expect(owned.get(0)!.held).toBeUndefined();
    hold(0, 7 * DAY);
    eventTime.apply({ rows: [row(1, 6 * DAY, { stale: true })], claimed: claimed() });
    expect(resumed).toEqual([0, 0]);
    expect(await holds()).toEqual(['moneytrail_event_time_holds_total{ended="caught-up"} 1', 'moneytrail_event_time_holds_total{ended="passed-over"} 1']);
    eventTime.stop();
  });

  it("lets a partition go on in its batch when a round of event times lets it, else holds it with its event written as its frontier", async () => {
    // the other partition has moved on by the round's read
    let other = 6 * DAY;
    const { eventTime, owned, rounds } = setup([0], (e, claimed) => e.apply({ rows: [row(1, other)], claimed }));
    const o = owned.get(0)!;
    expect(await eventTime.passes(o, 5 * DAY)).toBe(true);
    other = 2 * DAY;
    expect(await eventTime.passes(o, 5 * DAY)).toBe(false);
    expect(frontierOf(o)).toBe(5 * DAY);
    expect(rounds()).toBe(2);
  });

  it("resumes the hold of a partition given up since (a rebalance), so that it is fetched if assigned here again", () => {
    const { eventTime, owned, claimed, resumed, hold } = setup([0, 1]);
    hold(1, 5 * DAY);
    owned.delete(1);
    eventTime.apply({ rows: [row(0, DAY)], claimed: claimed() });
    expect(resumed).toEqual([1]);
    eventTime.stop();
  });
});
