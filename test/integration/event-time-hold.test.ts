// The watermark case: a backlog caught up after a restart, one partition far behind in event time with an earlier
// flag. Replay links the peer (on the other partition) by that earlier flag; a run that let the peer's partition run
// ahead linked it by a later flag on its own partition (its alert citing the later event), and evaluated the later
// flagged merchant without the earlier flag. Partitions are held to the least advanced one's event time
// (src/app/run/event-time.ts), so the run gives replay's alerts.
import { expect, it } from "vitest";
import pg from "pg";
import type { Alert } from "../../src/decode/events.js";
import { idOn, listedUrlStack, onIp as onIpOf, replayed, salesOf } from "./flags.js";
import { casesAndAlerts, ids, produce, startRunner, until, waitCaughtUp } from "./harness.js";

const PARTITIONS = 2;
const IP = "192.0.2.76";
const LISTED_URL = "https://listed-watermark.example/gallery/4";
// partition 0's backlog before its flag: many batches, so partition 1's few events would be done long before
const BACKLOG = 15000;

// sorted whole: a merchant's two alerts came in the order of their ids, which change with each run's topic names
const cited = (as: Alert[]) => as.map((a) => JSON.stringify([a.merchantId, a.signals.map((s) => [s.rule, s.evidence.eventIds])])).sort();

it("holds a partition ahead in event time until the one behind passes it, so a peer is linked by the earlier flag as in replay", { timeout: 240_000 }, async () => {
  const { n, url, indicators } = await listedUrlStack("watermark", PARTITIONS, LISTED_URL);
  const used = new Set<string>();
  const [early, seller] = [idOn([0], "F", used, PARTITIONS), idOn([0], "S", used, PARTITIONS)];
  const [peer, late, quiet] = [idOn([1], "P", used, PARTITIONS), idOn([1], "L", used, PARTITIONS), idOn([1], "Q", used, PARTITIONS)];
  const onIp = onIpOf(IP);
  // before the restart, one event on each partition (January): both have positions and an event time
  const before = [onIpOf("192.0.2.77")(seller, "2026-01-01T00:00:00Z"), onIpOf("192.0.2.78")(quiet, "2026-01-01T00:00:00Z")];
  // while no process runs: partition 0 gets February's sales, then the earlier flag (2 March); partition 1 the peer
  // boarding on the address (1 March) and the later flag on it (4 March)
  const sales = salesOf(seller, BACKLOG, "2026-02-01T00:00:00Z", 150_000);
  const earlyFlag = onIp(early, "2026-03-02T00:00:00Z", [LISTED_URL]);
  const boards = onIp(peer, "2026-03-01T00:00:00Z");
  const lateFlag = onIp(late, "2026-03-04T00:00:00Z", [LISTED_URL]);

  const first = await startRunner(n, url, { indicators });
  try {
    await produce(n.events, before);
    await waitCaughtUp(n, url);
  } finally {
    await first.stop();
  }
  await produce(n.events, [...sales, boards, earlyFlag, lateFlag], { batch: 2000 });
  // a day's slack: the flags are two days apart (the default, a week, would let partition 1 run past the earlier one)
  const runner = await startRunner(n, url, { indicators, eventTimeSlackMs: 86_400_000 });
  let holds = "";
  try {
    await waitCaughtUp(n, url, 180_000);
    await until("the peer's alert", async () => (await casesAndAlerts(url)).alerts.some((a) => a.merchantId === peer), 30_000);
    // the notices read once more, and any trigger committed
    await new Promise((r) => setTimeout(r, 2500));
    await waitCaughtUp(n, url);
    holds = await runner.metrics.registry.metrics();
  } finally {
    await runner.stop();
  }
  const expected = await replayed([...before, ...sales, boards, earlyFlag, lateFlag], indicators);
  const eventOf = (line: string) => (JSON.parse(line) as { eventId: string }).eventId;
  // replay: the peer linked by the earlier flag's event; the later flagged merchant linked to the earlier one
  expect(expected.filter((a) => a.merchantId === peer).map((a) => a.signals.flatMap((s) => s.evidence.eventIds))).toEqual([[eventOf(boards), eventOf(earlyFlag)]]);
  const alerts = (await casesAndAlerts(url)).alerts;
  expect(cited(alerts)).toEqual(cited(expected));
  expect(ids(alerts)).toEqual(ids(expected));
  // held at least once (partition 1 at its peer's boarding or its later flag), each hold ended by the other's progress
  expect(holds).toMatch(/moneytrail_event_time_holds_total\{ended="caught-up"} [1-9]/);
  expect(holds).toMatch(/moneytrail_event_time_holds_total\{ended="passed-over"} 0/);
  // each partition's event time as its owner recorded it: both at their end, at their last event
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const rows = (await pool.query<{ partition: number; reached_at: string; at_end: boolean }>("SELECT partition, reached_at::text, at_end FROM mt_partitions ORDER BY partition")).rows;
    expect(rows.map((r) => [r.partition, new Date(Number(r.reached_at)).toISOString(), r.at_end])).toEqual([
      [0, "2026-03-02T00:00:00.000Z", true],
      [1, "2026-03-04T00:00:00.000Z", true],
    ]);
  } finally {
    await pool.end();
  }
});
