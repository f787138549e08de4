// A process killed -9 after a peer's boarding was processed (no alert: the flag on another partition, earlier in
// event time, not known yet) and its position saved, but before a checkpoint: the next process rebuilds the peer from
// its events, now with the flag counted, and the rebuild raises the alert replay raises at the peer's boarding. The
// rebuild's outputs were taken as made by the first pass; this one never was, and is raised.
import { once } from "node:events";
import { expect, it } from "vitest";
import { idOn, listedUrlStack, onIp as onIpOf, peerAlertedAfterRestart, replayed, salesOf } from "./flags.js";
import { casesAndAlerts, consuming, ids, produce, spawnRunner, waitCaughtUp } from "./harness.js";

const PARTITIONS = 2;
const IP = "192.0.2.75";
const LISTED_URL = "https://listed-rebuild.example/gallery/4";
// sales before the peer's boarding on its partition: rebuilt after the flag's partition has processed the flag
const SALES = 20_000;

it("an alert that only the rebuild after a kill -9 raises, a flag counted since the first pass, is raised as replay raises it", { timeout: 240_000 }, async () => {
  const { n, url, indicators } = await listedUrlStack("rebuild", PARTITIONS, LISTED_URL);
  const used = new Set<string>();
  const [flagged, peer, other] = [idOn([0], "F", used, PARTITIONS), idOn([1], "P", used, PARTITIONS), idOn([1], "O", used, PARTITIONS)];
  // in event time: another merchant of the peer's partition sells from 1 March, the merchant is flagged on 22 March,
  // the peer boards on 23 March on the flagged merchant's address
  const sales = salesOf(other, SALES, "2026-03-01T00:00:00Z", 60_000);
  const flag = onIpOf(IP)(flagged, "2026-03-22T00:00:00Z", [LISTED_URL]);
  const boards = onIpOf(IP)(peer, "2026-03-23T00:00:00Z");

  // the first process: the sales and the peer's boarding, their position saved, no checkpoint; killed -9
  const first = spawnRunner(n, url, { MT_CHECKPOINT_MS: "600000", MT_INDICATORS: indicators, LOG_LEVEL: "info" });
  try {
    await consuming(first);
    await produce(n.events, [...sales, boards], { batch: 2000 });
    await waitCaughtUp(n, url, 180_000);
  } finally {
    first.kill("SIGKILL");
    await once(first, "exit");
  }
  expect((await casesAndAlerts(url)).alerts).toEqual([]);
  // while it is down the flag comes; the next process counts it before it rebuilds the peer
  await produce(n.events, [flag]);
  await peerAlertedAfterRestart(n, url, { indicators }, peer, 180_000, 30_000);
  const expected = await replayed([...sales, flag, boards], indicators);
  // replay: the peer at its own boarding, which saw the flag
  expect(expected.filter((a) => a.merchantId === peer).map((a) => a.signals.flatMap((s) => s.evidence.eventIds))).toEqual([[JSON.parse(boards).eventId]]);
  // before: the rebuild linked the peer and its alert was dropped with the rebuild's outputs; the flag's notice then
  // found it linked already
  expect(ids((await casesAndAlerts(url)).alerts)).toEqual(ids(expected));
});
