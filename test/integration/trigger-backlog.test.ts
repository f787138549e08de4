// A peer's trigger read while its partition still has a backlog of events older than the flag (a restart: the
// partition claimed, its state restored from the checkpoint, the events since waiting to be consumed): replay
// evaluated the peer at the flag, after those events, so the trigger waits for the partition to reach the flag in
// event time (or its end), not run at once on the state restored.
import { expect, it } from "vitest";
import { merchant } from "../helpers/events.js";
import { idOn, listedUrlStack, onIp as onIpOf, peerAlertedAfterRestart, replayed, salesOf } from "./flags.js";
import { casesAndAlerts, ids, produce, startRunner, waitCaughtUp } from "./harness.js";

const PARTITIONS = 4;
const IP = "192.0.2.74";
const LISTED_URL = "https://listed-backlog.example/gallery/3";
// events on each of partitions 1-3: with one partition consumed at a time, the peer's waits for its turn with a backlog
const BACKLOG = 12000;

it("a trigger read while the peer's partition has a backlog older than the flag runs after it, as replay links the peer", { timeout: 240_000 }, async () => {
  const { n, url, indicators } = await listedUrlStack("backlog", PARTITIONS, LISTED_URL);
  const used = new Set<string>();
  const [flagged, peer] = [idOn([0], "F", used, PARTITIONS), idOn([1], "P", used, PARTITIONS)];
  const others = [1, 2, 3].map((q) => idOn([q], "O", used, PARTITIONS));
  // in event time: the peer boards on 1 March, merchants of partitions 1-3 sell on 2 March, the peer renames itself
  // on 3 March (its keys kept), the merchant is flagged on 5 March
  const boards = onIpOf(IP)(peer, "2026-03-01T00:00:00Z");
  const sales = others.flatMap((other) => salesOf(other, BACKLOG, "2026-03-02T00:00:00Z", 1000));
  const renames = JSON.stringify(
    merchant({ merchantId: peer, occurredAt: "2026-03-03T00:00:00Z", descriptor: "RENAMED SHOP", websites: ["https://shop.example/"], infrastructure: { ips: [IP], analyticsIds: [] } }),
  );
  const flag = onIpOf(IP)(flagged, "2026-03-05T00:00:00Z", [LISTED_URL]);

  // the peer boards and is checkpointed (the stop)
  const first = await startRunner(n, url, { indicators });
  try {
    await produce(n.events, [boards]);
    await waitCaughtUp(n, url);
  } finally {
    await first.stop();
  }
  // while the service is down: the peer's partition gets a backlog ending with its renaming, and the flag comes
  await produce(n.events, [...sales, renames, flag], { batch: 2000 });
  // one partition consumed at a time: the peer's waits its turn between its batches, its backlog not consumed
  await peerAlertedAfterRestart(n, url, { indicators, concurrentPartitions: 1 }, peer, 180_000, 30_000);
  const expected = await replayed([boards, ...sales, renames, flag], indicators);
  // replay: the peer by its renaming, the profile in force at the flag, and the flag's event
  const cited = (as: typeof expected) => as.map((a) => [a.merchantId, a.signals.flatMap((s) => s.evidence.eventIds)]).sort();
  expect(cited(expected).filter(([m]) => m === peer)).toEqual([[peer, [JSON.parse(renames).eventId, JSON.parse(flag).eventId]]]);
  const alerts = (await casesAndAlerts(url)).alerts;
  expect(ids(alerts)).toEqual(ids(expected));
  // before the trigger waited for the backlog: the restored peer, its renaming not consumed yet, cited its boarding
  expect(cited(alerts)).toEqual(cited(expected));
});
