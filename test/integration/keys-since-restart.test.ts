// A merchant whose later profile kept its keys (a new descriptor) took them at its earlier profile: after a restart its
// state restored from the checkpoint still says so (StoredMerchant.keysSince), so a flag between the two, whose notice
// is read only after the restart, links it by the flag's event as replay does, not by its update's, and its finding
// cites its boarding, the profile in force at the flag (StoredMerchant.keptProfiles).
import { expect, it } from "vitest";
import { merchant } from "../helpers/events.js";
import { idOn, listedUrlStack, onIp as onIpOf, replayed } from "./flags.js";
import { casesAndAlerts, ids, produce, startRunner, until, waitCaughtUp } from "./harness.js";

const PARTITIONS = 2;
const IP = "192.0.2.73";
const LISTED_URL = "https://listed-kept.example/gallery/7";

it("a peer that kept its keys through a later profile is linked by a late flag's notice after a restart, as replay links it", { timeout: 180_000 }, async () => {
  const { n, url, indicators } = await listedUrlStack("keys-since", PARTITIONS, LISTED_URL);
  const used = new Set<string>();
  const [flagged, peer, other] = [idOn([0], "F", used, PARTITIONS), idOn([1], "P", used, PARTITIONS), idOn([1], "O", used, PARTITIONS)];
  // in event time: the peer boards on 1 March, the merchant is flagged on 2 March, the peer renames itself on 3 March
  const boards = onIpOf(IP)(peer, "2026-03-01T00:00:00Z");
  const flag = onIpOf(IP)(flagged, "2026-03-02T00:00:00Z", [LISTED_URL]);
  const renames = JSON.stringify(merchant({ merchantId: peer, occurredAt: "2026-03-03T00:00:00Z", descriptor: "RENAMED SHOP", websites: ["https://shop.example/"], infrastructure: { ips: [IP], analyticsIds: [] } }));
  // another merchant of the peer's partition, elsewhere: its event has the restarted process claim the partition
  const boardsElsewhere = onIpOf("198.51.100.73")(other, "2026-03-04T00:00:00Z");

  // partition 1 runs ahead: both of the peer's profiles are processed and checkpointed (the stop) before the flag
  const first = await startRunner(n, url, { indicators });
  try {
    await produce(n.events, [boards, renames]);
    await waitCaughtUp(n, url);
  } finally {
    await first.stop();
  }
  // a new process: the flag first, then the peer's partition claimed (at its next batch), its merchants restored from
  // the checkpoint and every notice read again, the flag's linking the peer
  const second = await startRunner(n, url, { indicators });
  try {
    await produce(n.events, [flag]);
    await waitCaughtUp(n, url);
    await produce(n.events, [boardsElsewhere]);
    await waitCaughtUp(n, url);
    await until("the peer's alert", async () => (await casesAndAlerts(url)).alerts.some((a) => a.merchantId === peer));
    await waitCaughtUp(n, url);
  } finally {
    await second.stop();
  }
  const expected = await replayed([boards, flag, renames, boardsElsewhere], indicators);
  // replay: the peer by its boarding and the flag's event, not by its renaming
  expect(expected.map((a) => [a.merchantId, a.signals.flatMap((s) => s.evidence.eventIds)]).sort()).toEqual(
    [
      [flagged, ["e-2"]],
      [peer, ["e-1", "e-2"]],
    ].sort(),
  );
  // before keysSince the restored peer was linked by its renaming (e-3), an alert replay does not raise
  const alerts = (await casesAndAlerts(url)).alerts;
  expect(ids(alerts)).toEqual(ids(expected));
  // and its finding cites the profile in force at the flag, its boarding, as replay's does (before keptProfiles: its renaming)
  const cited = (as: typeof expected) => as.map((a) => [a.alertId, a.signals.map((s) => [s.rule, s.evidence.eventIds])]).sort();
  expect(cited(alerts)).toEqual(cited(expected));
});
