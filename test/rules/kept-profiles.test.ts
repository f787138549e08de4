// A peer whose later profiles kept its keys (a new descriptor), linked by a flag's late notice (run: its partition ran
// ahead of the flag's, or it was restored from its checkpoint): replay evaluated it at the flag with the profile in
// force then, and its finding cites that profile's event; a peer that took the keys after the flag was linked by the
// profile that took them, not by a later one that kept them.
import { beforeEach, expect, it } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import { Engine } from "../../src/engine.js";
import type { StoredMerchant } from "../../src/state/merchant.js";
import { engineWith, feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, state, M1, M2, M3 } from "../helpers/events.js";
import { LISTED_RULE, SHARED_RULE } from "../helpers/rules.js";

const RULES = `${LISTED_RULE}${SHARED_RULE}`;
const LISTED = indicatorSet([{ id: "mid-1", kind: "merchant-id", value: M1, confidence: 90 }], { id: "ids", source: "member:test" });
const IP1 = "192.0.2.10";
const IP2 = "198.51.100.20";
const onIp = (merchantId: string, ip: string, descriptor = "SHOP") => merchant({ merchantId, descriptor, infrastructure: { ips: [ip], analyticsIds: [] } });

beforeEach(() => resetEvents());

/** An engine as `moneytrail run` has one: changes tracked, flags counted in event time. */
function timedEngine(): Engine {
  const e = new Engine(ruleSetWith(RULES), indexOf(LISTED), true);
  e.infra.timed = true;
  return e;
}

/** What a reviewer's evidence of an alert is: its id and each signal as stated (rule, value, explanation, events cited). */
const evidence = (alerts: Alert[]) => alerts.map((a) => ({ alertId: a.alertId, signals: a.signals }));

/** The peer's alerts replay gives on the events in their time order, and the notice of M1's flag made by another process. */
function replayAndNotice(inOrder: ReturnType<typeof merchant>[], flag: ReturnType<typeof merchant>) {
  const expected = feed(engineWith(RULES, LISTED), inOrder).filter((a) => a.merchantId === M2);
  const x = timedEngine();
  feed(x, [flag]);
  const [notice] = x.takeFlags();
  return { expected, notice: notice! };
}

/** The engine's state of the merchants, checkpointed as run writes it (JSON), restored by a new process. */
function restarted(y: Engine, ids: string[]): Engine {
  const stored = ids.map((id) => JSON.parse(JSON.stringify(y.snapshot(state(y, id)))) as StoredMerchant);
  const z = timedEngine();
  z.restore(stored);
  return z;
}

/** The notice's trigger of the peer M2, fed `peerEvents` first, gives replay's alerts: in memory, and restored from its checkpoint. */
function linksAsReplay(peerEvents: ReturnType<typeof merchant>[], notice: ReturnType<Engine["takeFlags"]>[number], expected: Alert[], also: string[] = []): void {
  const y = timedEngine();
  feed(y, peerEvents);
  // the checkpoint first: the trigger changes the peer
  const z = restarted(y, [M2, ...also]);
  expect(evidence(y.triggerPeers(notice, y.flagRemote(notice)))).toEqual(evidence(expected));
  expect(evidence(z.triggerPeers(notice, z.flagRemote(notice)))).toEqual(evidence(expected));
}

it("a peer that renamed itself after the flag cites its profile in force at the flag, as replay does, in memory and restored", () => {
  const boards = onIp(M2, IP1);
  const flag = onIp(M1, IP1);
  const renames = onIp(M2, IP1, "RENAMED SHOP");
  const other = onIp(M3, IP2);
  const { expected, notice } = replayAndNotice([boards, flag, renames], flag);
  expect(expected.map((a) => a.signals[0]?.evidence.eventIds)).toEqual([[boards.eventId, flag.eventId]]);

  linksAsReplay([boards, renames, other], notice, expected, [M3]);
});

it("a peer that renamed itself twice cites the rename in force at the flag", () => {
  const boards = onIp(M2, IP1);
  const first = onIp(M2, IP1, "FIRST NAME");
  const flag = onIp(M1, IP1);
  const second = onIp(M2, IP1, "SECOND NAME");
  const { expected, notice } = replayAndNotice([boards, first, flag, second], flag);
  expect(expected.map((a) => a.signals[0]?.evidence.eventIds)).toEqual([[first.eventId, flag.eventId]]);

  linksAsReplay([boards, first, second], notice, expected);
});

it("a peer that took the keys after the flag and renamed itself later is linked by the profile that took them, as replay links it", () => {
  const flag = onIp(M1, IP1);
  const boards = onIp(M2, IP1);
  const renames = onIp(M2, IP1, "RENAMED SHOP");
  const { expected, notice } = replayAndNotice([flag, boards, renames], flag);
  // replay: at its boarding, which saw the flag (cited once)
  expect(expected.map((a) => a.signals[0]?.evidence.eventIds)).toEqual([[boards.eventId]]);

  linksAsReplay([boards, renames], notice, expected);
});

it("a checkpoint without the kept profiles' events (written before them) reads as before: keysSince alone", () => {
  const boards = onIp(M2, IP1);
  const flag = onIp(M1, IP1);
  const renames = onIp(M2, IP1, "RENAMED SHOP");
  const { expected, notice } = replayAndNotice([boards, flag, renames], flag);
  const y = timedEngine();
  feed(y, [boards, renames]);
  const stored = JSON.parse(JSON.stringify(y.snapshot(state(y, M2)))) as StoredMerchant & { keptProfiles?: unknown };
  expect(stored.keptProfiles).toBeDefined();
  delete stored.keptProfiles;
  const z = timedEngine();
  z.restore([stored]);
  // the same alert (keysSince), its finding citing the later profile it holds
  const alerts = z.triggerPeers(notice, z.flagRemote(notice));
  expect(alerts.map((a) => a.alertId)).toEqual(expected.map((a) => a.alertId));
  expect(alerts.map((a) => a.signals[0]?.evidence.eventIds)).toEqual([[renames.eventId, flag.eventId]]);
});

it("a flag restored from its checkpoint counts from its event's time: a peer boarding earlier, on a partition behind, is linked at the flag", () => {
  const boards = merchant({ merchantId: M2, occurredAt: "2026-03-05T00:00:00Z", infrastructure: { ips: [IP1], analyticsIds: [] } });
  const flag = merchant({ merchantId: M1, occurredAt: "2026-03-10T00:00:00Z", infrastructure: { ips: [IP1], analyticsIds: [] } });
  const expected = feed(engineWith(RULES, LISTED), [boards, flag]).filter((a) => a.merchantId === M2);
  expect(expected.map((a) => a.signals[0]?.evidence.eventIds)).toEqual([[boards.eventId, flag.eventId]]);
  const y = timedEngine();
  feed(y, [flag]);
  // restarted: the flagged merchant restored, then the peer's partition, behind it, rebuilt
  const z = restarted(y, [M1]);
  expect(feed(z, [boards])).toEqual([]);
  const [ahead] = z.takeAhead();
  expect(ahead?.notice.eventId).toBe(flag.eventId);
  expect(evidence(z.triggerPeers(ahead!.notice, [M2]))).toEqual(evidence(expected));
});
