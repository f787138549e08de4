import { beforeEach, describe, expect, it } from "vitest";
import { Alert } from "../../src/decode/events.js";
import { Engine } from "../../src/engine.js";
import type { StoredMerchant } from "../../src/state/merchant.js";
import { crawl, engineWith, feed, hashOf, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, signalOf, state, tx, M1, M2, M3, M4 } from "../helpers/events.js";
import { LISTED_RULE } from "../helpers/rules.js";

// M1 is flagged on its own evidence (its merchant ID is listed); the others may share its infrastructure
const RULES = `${LISTED_RULE}
  - id: cloak
    kind: cloaked-content
    weight: 60
    typology: disguised-site
    params: {}
  - id: shared
    kind: shared-infrastructure
    weight: 60
    typology: shared-infrastructure
    params:
      via: [ip, analytics-id, principal, payout-account, email]
      minConfidence: 50
`;

const LISTED = indicatorSet([{ id: "mid-1", kind: "merchant-id", value: M1, confidence: 90 }], { id: "ids", source: "member:test" });
const IP1 = "192.0.2.10";
const IP2 = "198.51.100.20";
const infra = (ips: string[], analyticsIds: string[] = []) => ({ infrastructure: { ips, analyticsIds } });

beforeEach(() => resetEvents());

describe("shared-infrastructure", () => {
  it("a peer flagged by another rule alerts the merchants sharing its infrastructure, in the same call", () => {
    const engine = engineWith(RULES, LISTED);
    const b = merchant({ merchantId: M2, ...infra([IP1]) });
    expect(feed(engine, [b])).toEqual([]);
    const a = merchant({ merchantId: M1, ...infra([IP1, IP2]) });
    const alerts = engine.process(a);
    expect(alerts.map((x) => [x.merchantId, x.score, x.severity, x.typologies])).toEqual([
      [M1, 81, "critical", ["listed-identifier"]],
      [M2, 60, "medium", ["shared-infrastructure"]],
    ]);
    expect(signalOf(engine, "shared", M2)).toEqual({
      value: 1,
      threshold: 1,
      strength: 1,
      critical: false,
      // the peer's profile event and the event that flagged the other merchant
      eventIds: [b.eventId, a.eventId],
      indicators: [],
      detail: `ip with flagged merchant ${M1}`,
      since: a.occurredAt,
    });
    const peerAlert = Alert.parse(alerts[1]);
    expect(peerAlert.signals[0]).toMatchObject({
      rule: "shared",
      kind: "shared-infrastructure",
      value: 1,
      threshold: 1,
      explanation: `shares an IP address with merchant ${M1}, flagged on its own evidence`,
      evidence: { eventIds: [b.eventId, a.eventId] },
    });
    // the flagged merchant itself is not "sharing with a flagged merchant"
    expect(signalOf(engine, "shared", M1)).toBeUndefined();
    expect(state(engine, M1).flagged).toBe(true);
    expect(state(engine, M2).flagged).toBeFalsy();
  });

  it("tells the engine's caller before an event changes the merchant or a peer, while their state is as it was", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M2, ...infra([IP1]) })]);
    const before = JSON.stringify(engine.snapshot(state(engine, M2)));
    // a checkpoint in progress serialises what it is told about (src/app/run/checkpoints.ts)
    const told: [string, string | undefined][] = [];
    engine.beforeChange = (id) => {
      const m = engine.merchants.get(id);
      told.push([id, m && JSON.stringify(engine.snapshot(m))]);
    };
    engine.process(merchant({ merchantId: M1, ...infra([IP1, IP2]) }));
    expect(told).toEqual([
      [M1, undefined],
      [M2, before],
    ]);
    expect(JSON.stringify(engine.snapshot(state(engine, M2)))).not.toBe(before);
  });

  it("a merchant boarding later with infrastructure of a flagged merchant is alerted", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M1, ...infra([], ["UA-000000-1"]) })]);
    const b = merchant({ merchantId: M2, ...infra([IP2], ["UA-000000-1"]) });
    const alerts = feed(engine, [b]);
    expect(alerts.map((x) => x.merchantId)).toEqual([M2]);
    expect(signalOf(engine, "shared", M2)).toMatchObject({ value: 1, eventIds: [b.eventId], detail: `analytics-id with flagged merchant ${M1}` });
  });

  it.each([
    ["principal", { principals: [hashOf("principal-1")] }],
    ["payout-account", { payoutAccount: hashOf("account-1") }],
    ["email", { contactEmail: hashOf("owner@shop.example") }],
  ])("shares through %s", (kind, profile) => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M2, ...profile }), merchant({ merchantId: M1, ...profile })]);
    expect(signalOf(engine, "shared", M2)?.detail).toBe(`${kind} with flagged merchant ${M1}`);
  });

  it("counts distinct flagged peers in its value", () => {
    const twoListed = indicatorSet([
      { id: "a", kind: "merchant-id", value: M1 },
      { id: "b", kind: "merchant-id", value: M3 },
    ]);
    const engine = engineWith(RULES, twoListed);
    feed(engine, [
      merchant({ merchantId: M1, ...infra([IP1, IP2]) }),
      merchant({ merchantId: M3, ...infra([IP2]) }),
      merchant({ merchantId: M2, ...infra([IP1, IP2]) }),
    ]);
    expect(signalOf(engine, "shared", M2)).toMatchObject({
      value: 2,
      detail: `ip with flagged merchant ${M1}; ip with flagged merchant ${M1}; ip with flagged merchant ${M3}`,
    });
  });

  it("sharing with a merchant that is not flagged is nothing", () => {
    const engine = engineWith(RULES, LISTED);
    const alerts = feed(engine, [
      merchant({ merchantId: M2, ...infra([IP1], ["UA-01"]), principals: [hashOf("p")] }),
      merchant({ merchantId: M3, ...infra([IP1], ["UA-01"]), principals: [hashOf("p")] }),
      tx({ merchantId: M2 }),
      tx({ merchantId: M3 }),
    ]);
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "shared", M2)).toBeUndefined();
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
  });

  it("one hop only: a merchant flagged only through shared infrastructure does not pass it on", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [
      merchant({ merchantId: M2, ...infra([IP1, IP2]) }), // shares IP1 with M1
      merchant({ merchantId: M3, ...infra([IP2]) }), // shares IP2 with M2 only
    ]);
    const alerts = feed(engine, [merchant({ merchantId: M1, ...infra([IP1]) })]);
    expect(alerts.map((a) => a.merchantId)).toEqual([M1, M2]);
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
    expect(state(engine, M2).flagged).toBeFalsy();
    // nor later: a merchant boarding with M2's other IP is not alerted
    expect(feed(engine, [merchant({ merchantId: M4, ...infra([IP2]) })])).toEqual([]);
    expect(signalOf(engine, "shared", M4)).toBeUndefined();
  });

  it("a merchant alerted through shared infrastructure that then earns its own evidence becomes a source", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M2, ...infra([IP1, IP2]) }), merchant({ merchantId: M3, ...infra([IP2]) }), merchant({ merchantId: M1, ...infra([IP1]) })]);
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
    // M2 is now seen cloaking: 60 on its own evidence, so its peers are told: M1 (already alerted, now with a
    // new rule) and M3
    const alerts = feed(engine, [crawl({ merchantId: M2, contentDiffersByReferrer: true })]);
    expect(alerts.map((a) => [a.merchantId, a.typologies])).toEqual([
      [M2, ["disguised-site", "shared-infrastructure"]],
      [M1, ["listed-identifier", "shared-infrastructure"]],
      [M3, ["shared-infrastructure"]],
    ]);
    expect(state(engine, M2).flagged).toBe(true);
    expect(signalOf(engine, "shared", M3)?.detail).toBe(`ip with flagged merchant ${M2}`);
  });

  it("maxSharers: a key shared by more merchants than that is common infrastructure and ignored", () => {
    const common = engineWith(RULES, LISTED, { maxSharers: 2 });
    feed(common, [merchant({ merchantId: M2, ...infra([IP1]) }), merchant({ merchantId: M3, ...infra([IP1]) })]);
    const alerts = feed(common, [merchant({ merchantId: M1, ...infra([IP1]) })]);
    expect(alerts.map((a) => a.merchantId)).toEqual([M1]);
    expect(signalOf(common, "shared", M2)).toBeUndefined();
    expect(signalOf(common, "shared", M3)).toBeUndefined();
    // nor does a merchant boarding later on the common key get flagged
    feed(common, [merchant({ merchantId: M4, ...infra([IP1]) })]);
    expect(signalOf(common, "shared", M4)).toBeUndefined();

    resetEvents();
    const rare = engineWith(RULES, LISTED, { maxSharers: 2 });
    feed(rare, [merchant({ merchantId: M2, ...infra([IP1]) })]);
    expect(feed(rare, [merchant({ merchantId: M1, ...infra([IP1]) })]).map((a) => a.merchantId)).toEqual([M1, M2]);
  });

  it("maxSharers follows the sharers exactly as they come and go, and a new rule set's bound applies at once", () => {
    const sharers = Array.from({ length: 30 }, (_, i) => `acq-nl:M-9${String(i).padStart(3, "0")}`);
    const engine = engineWith(RULES, LISTED, { maxSharers: 25 });
    feed(engine, sharers.map((merchantId) => merchant({ merchantId, ...infra([IP1]) })));
    // two of the 30 move away: 28 still share it, more than 25
    feed(engine, sharers.slice(0, 2).map((merchantId) => merchant({ merchantId, ...infra([IP2]) })));
    expect(feed(engine, [merchant({ merchantId: M1, ...infra([IP1]) })]).map((a) => a.merchantId)).toEqual([M1]);
    expect(sharers.filter((id) => signalOf(engine, "shared", id))).toEqual([]);

    resetEvents();
    const raised = engineWith(RULES, LISTED, { maxSharers: 25 });
    feed(raised, sharers.map((merchantId) => merchant({ merchantId, ...infra([IP1]) })));
    raised.replaceRuleSet(ruleSetWith(RULES, { maxSharers: 40 }));
    expect(feed(raised, [merchant({ merchantId: M1, ...infra([IP1]) })])).toHaveLength(31);
  });

  it("a common key is ignored but a rarer key shared with the same merchant still counts", () => {
    const engine = engineWith(RULES, LISTED, { maxSharers: 2 });
    const p = hashOf("principal-shared");
    feed(engine, [merchant({ merchantId: M2, ...infra([IP1]), principals: [p] }), merchant({ merchantId: M3, ...infra([IP1]) })]);
    feed(engine, [merchant({ merchantId: M1, ...infra([IP1]), principals: [p] })]);
    expect(signalOf(engine, "shared", M2)?.detail).toBe(`principal with flagged merchant ${M1}`);
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
  });

  it("fires on its own when the merchant's IP or analytics ID is on an indicator list", () => {
    const set = indicatorSet(
      [
        { id: "ip-1", kind: "ip", value: IP1, confidence: 70 },
        { id: "ga-1", kind: "analytics-id", value: "UA-0999999-1", confidence: 80 },
        { id: "ip-low", kind: "ip", value: IP2, confidence: 40 },
      ],
      { id: "infra-set", source: "member:test" },
    );
    const engine = engineWith(RULES, set);
    const m = merchant({ merchantId: M2, ...infra([IP1, IP2], ["UA-0999999-1"]) });
    const alerts = feed(engine, [m]);
    expect(signalOf(engine, "shared", M2)).toEqual({
      value: 2,
      threshold: 1,
      strength: 1,
      critical: false,
      eventIds: [m.eventId],
      indicators: [
        { set: "infra-set", id: "ip-1", source: "member:test", confidence: 70 },
        { set: "infra-set", id: "ga-1", source: "member:test", confidence: 80 },
      ],
      detail: "listed ip (infra-set/ip-1, confidence 70, counted from 50); listed analytics-id (infra-set/ga-1, confidence 80, counted from 50)",
      since: m.occurredAt,
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals[0]!.evidence.indicators).toHaveLength(2);
    // the reviewer reads why each entry counts: its confidence against the rule's minConfidence (ip-low, at 40, does not)
    expect(alerts[0]!.signals[0]!.explanation).toBe(
      "uses an IP address on an indicator list (entry infra-set/ip-1, confidence 70, counted from 50); uses an analytics ID on an indicator list (entry infra-set/ga-1, confidence 80, counted from 50)",
    );
    // listed infrastructure alone is shared-infrastructure evidence: it does not make M2 a source
    expect(state(engine, M2).flagged).toBeFalsy();
  });

  it("looks only through the kinds in `via`", () => {
    const onlyIp = RULES.replace("via: [ip, analytics-id, principal, payout-account, email]", "via: [ip]");
    const engine = engineWith(onlyIp, LISTED);
    const p = hashOf("principal-x");
    feed(engine, [merchant({ merchantId: M2, principals: [p], ...infra([], ["UA-01"]) }), merchant({ merchantId: M1, principals: [p], ...infra([IP1], ["UA-01"]) })]);
    expect(signalOf(engine, "shared", M2)).toBeUndefined();
    feed(engine, [merchant({ merchantId: M3, ...infra([IP1]) })]);
    expect(signalOf(engine, "shared", M3)?.detail).toBe(`ip with flagged merchant ${M1}`);
  });

  it("is withdrawn when the merchant stops sharing", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M2, ...infra([IP1]) }), merchant({ merchantId: M1, ...infra([IP1]) })]);
    expect(signalOf(engine, "shared", M2)).toBeDefined();
    expect(feed(engine, [merchant({ merchantId: M2, ...infra([IP2]) })])).toEqual([]);
    expect(signalOf(engine, "shared", M2)).toBeUndefined();
  });

  it("a flagged merchant's infrastructure added after it was flagged is flagged too", () => {
    const engine = engineWith(RULES, LISTED);
    feed(engine, [merchant({ merchantId: M1, ...infra([IP1]) })]);
    expect(state(engine, M1).flagged).toBe(true);
    // M1 moves to a new IP; a merchant already on it and one boarding later on it share with a flagged merchant
    feed(engine, [merchant({ merchantId: M2, ...infra([IP2]) })]);
    const alerts = feed(engine, [merchant({ merchantId: M1, ...infra([IP2]) })]);
    expect(alerts.map((a) => a.merchantId)).toEqual([M2]);
    expect(signalOf(engine, "shared", M2)?.detail).toBe(`ip with flagged merchant ${M1}`);
    feed(engine, [merchant({ merchantId: M3, ...infra([IP2]) })]);
    expect(signalOf(engine, "shared", M3)?.detail).toBe(`ip with flagged merchant ${M1}`);
  });

  describe("across processes (flag notices)", () => {
    // two engines as `moneytrail run` has them in two processes: changes tracked for persistence, merchants apart
    const processEngine = () => new Engine(ruleSetWith(RULES), indexOf(LISTED), true);
    // two listed merchants flagged one after the other on a peer's address, and the peer's alert one engine gives
    const both = indicatorSet(
      [
        { id: "mid-1", kind: "merchant-id", value: M1, confidence: 90 },
        { id: "mid-4", kind: "merchant-id", value: M4, confidence: 90 },
      ],
      { id: "ids", source: "member:test" },
    );
    const twoFlags = () => {
      const peer = merchant({ merchantId: M2, ...infra([IP1]) });
      const first = merchant({ merchantId: M1, ...infra([IP1]) });
      const second = merchant({ merchantId: M4, ...infra([IP1]) });
      const expected = feed(engineWith(RULES, both), [peer, first, second]).filter((al) => al.merchantId === M2);
      expect(expected.map((al) => al.signals.find((s) => s.kind === "shared-infrastructure")?.evidence.eventIds)).toEqual([[peer.eventId, first.eventId]]);
      return { peer, first, second, expected };
    };

    it("a merchant flagged in one process alerts its peer held by another, with the alert one process would raise", () => {
      const b = merchant({ merchantId: M2, ...infra([IP1]) });
      const a = merchant({ merchantId: M1, ...infra([IP1, IP2]) });
      const one = engineWith(RULES, LISTED);
      const expected = feed(one, [b, a]);
      const [x, y] = [processEngine(), processEngine()];
      expect(feed(y, [b])).toEqual([]);
      expect(feed(x, [a]).map((al) => al.merchantId)).toEqual([M1]);
      const notices = x.takeFlags();
      expect(notices).toEqual([{ merchantId: M1, eventId: a.eventId, occurredAt: a.occurredAt, keys: [{ kind: "ip", value: IP1 }, { kind: "ip", value: IP2 }] }]);
      expect(x.takeFlags()).toEqual([]);
      const peers = y.flagRemote(notices[0]!);
      expect(peers).toEqual([M2]);
      const alerts = y.triggerPeers(notices[0]!, peers);
      expect(alerts).toEqual(expected.filter((al) => al.merchantId === M2));
      // read again (after a restart or a rebalance): nothing new, no second alert
      expect(y.triggerPeers(notices[0]!, y.flagRemote(notices[0]!))).toEqual([]);
      // the peer is not a source itself
      expect(y.takeFlags()).toEqual([]);
    });

    it("notices read together in another order than their flags' event time link a peer as replay does: at the earlier flag first", () => {
      // two listed merchants flagged one after the other on the peer's address; their notices come the other way round
      // (their partitions ahead of each other in event time), and the consumer counts flags in event time
      const { peer, first, second, expected } = twoFlags();
      const [x, y] = [new Engine(ruleSetWith(RULES), indexOf(both), true), new Engine(ruleSetWith(RULES), indexOf(both), true)];
      y.infra.timed = true;
      feed(x, [first, second]);
      const [n1, n4] = x.takeFlags();
      feed(y, [peer]);
      // read together (one read of the notices), their triggers run in the order read
      const peers = [y.flagRemote(n4!), y.flagRemote(n1!)];
      const alerts = [...y.triggerPeers(n4!, peers[0]!), ...y.triggerPeers(n1!, peers[1]!)];
      expect(alerts.map((al) => al.alertId)).toEqual(expected.map((al) => al.alertId));
    });

    it("a peer whose profile changed after the flag but kept its keys is linked by the flag's notice, as replay links it", () => {
      const peer = merchant({ merchantId: M2, ...infra([IP1]) });
      const flag = merchant({ merchantId: M1, ...infra([IP1]) });
      // the peer's partition ran ahead: its profile update (same keys, another descriptor) is processed before the notice
      const update = merchant({ merchantId: M2, descriptor: "OTHER SHOP", ...infra([IP1]) });
      const expected = feed(engineWith(RULES, LISTED), [peer, flag, update]).filter((al) => al.merchantId === M2);
      expect(expected.map((al) => al.signals[0]?.evidence.eventIds)).toEqual([[peer.eventId, flag.eventId]]);
      const [x, y] = [processEngine(), processEngine()];
      y.infra.timed = true;
      feed(x, [flag]);
      feed(y, [peer, update]);
      const [n] = x.takeFlags();
      expect(y.triggerPeers(n!, y.flagRemote(n!)).map((al) => al.alertId)).toEqual(expected.map((al) => al.alertId));
    });

    it("a peer that kept its keys through a later profile, restored from its checkpoint, is linked by the flag's notice as before the restart", () => {
      const peer = merchant({ merchantId: M2, ...infra([IP1]) });
      const flag = merchant({ merchantId: M1, ...infra([IP1]) });
      const update = merchant({ merchantId: M2, descriptor: "OTHER SHOP", ...infra([IP1]) });
      const other = merchant({ merchantId: M3, ...infra([IP2]) });
      const expected = feed(engineWith(RULES, LISTED), [peer, flag, update]).filter((al) => al.merchantId === M2);
      expect(expected.map((al) => al.signals[0]?.evidence.eventIds)).toEqual([[peer.eventId, flag.eventId]]);
      const timedEngine = () => {
        const e = processEngine();
        e.infra.timed = true;
        return e;
      };
      const [x, y] = [processEngine(), timedEngine()];
      feed(x, [flag]);
      feed(y, [peer, update, other]);
      const [n] = x.takeFlags();
      // checkpointed as run writes it (JSON in PostgreSQL), then restored by a restarted process before the notice is read
      const stored = [M2, M3].map((id) => JSON.parse(JSON.stringify(y.snapshot(state(y, id)))) as StoredMerchant);
      // only a merchant that took its keys before its profile's time carries the field
      expect(stored.map((s) => "keysSince" in s)).toEqual([true, false]);
      const z = timedEngine();
      z.restore(stored);
      expect(z.triggerPeers(n!, z.flagRemote(n!)).map((al) => al.alertId)).toEqual(expected.map((al) => al.alertId));
      // a checkpoint written before the field (or by a process that does not keep it) reads as before: the profile's time
      const old = timedEngine();
      old.restore(stored.map(({ keysSince: _, ...s }) => s as StoredMerchant));
      expect(old.triggerPeers(n!, old.flagRemote(n!)).map((al) => al.alertId)).not.toEqual(expected.map((al) => al.alertId));
    });

    it("a peer whose next profile comes after a flag on another partition of its process, before the flag's notice, is linked at the flag", () => {
      const peer = merchant({ merchantId: M2, ...infra([IP1]) });
      const flag = merchant({ merchantId: M1, ...infra([IP1]) });
      const update = merchant({ merchantId: M2, descriptor: "OTHER SHOP", ...infra([IP1]) });
      const expected = feed(engineWith(RULES, LISTED), [peer, flag, update]).filter((al) => al.merchantId === M2);
      expect(expected.map((al) => al.signals[0]?.evidence.eventIds)).toEqual([[peer.eventId, flag.eventId]]);
      // one process, two partitions: the flag's partition links only its own merchants at once
      const y = processEngine();
      y.infra.timed = true;
      let inHand = "peer's";
      y.linksAtOnce = (id) => (id === M2) === (inHand === "peer's");
      feed(y, [peer]);
      inHand = "flag's";
      expect(feed(y, [flag]).map((al) => al.merchantId)).toEqual([M1]);
      inHand = "peer's";
      expect(feed(y, [update]).map((al) => al.alertId)).toEqual(expected.map((al) => al.alertId));
    });

    it("a peer linked at once by a flag on its partition is first linked at an earlier flag on another partition whose notice is not read yet", () => {
      const { peer, first, second, expected } = twoFlags();
      // one process: M1 on a partition of its own, M2 and M4 on another
      const y = new Engine(ruleSetWith(RULES), indexOf(both), true);
      y.infra.timed = true;
      let inHand = M2;
      y.linksAtOnce = (id) => (id === M1) === (inHand === M1);
      feed(y, [peer]);
      inHand = M1;
      feed(y, [first]);
      inHand = M2;
      expect(feed(y, [second]).filter((al) => al.merchantId === M2).map((al) => al.alertId)).toEqual(expected.map((al) => al.alertId));
    });

    it("a merchant boarding later in the other process is linked to the merchant flagged there", () => {
      const a = merchant({ merchantId: M1, ...infra([IP1]) });
      const [x, y] = [processEngine(), processEngine()];
      feed(x, [a]);
      expect(y.flagRemote(x.takeFlags()[0]!)).toEqual([]);
      const c = merchant({ merchantId: M3, ...infra([IP1]) });
      expect(feed(y, [c]).map((al) => [al.merchantId, al.typologies])).toEqual([[M3, ["shared-infrastructure"]]]);
      expect(signalOf(y, "shared", M3)?.detail).toBe(`ip with flagged merchant ${M1}`);
    });

    it("a key a flagged merchant drops no longer links a merchant in the other process, as in one process", () => {
      const a = merchant({ merchantId: M1, ...infra([IP1]) });
      const moved = merchant({ merchantId: M1, ...infra([IP2]) });
      const later = [merchant({ merchantId: M3, ...infra([IP1]) }), merchant({ merchantId: M4, ...infra([IP2]) })];
      const one = engineWith(RULES, LISTED);
      const expected = feed(one, [a, moved, ...later]).map((al) => [al.merchantId, al.typologies]);
      const [x, y] = [processEngine(), processEngine()];
      const raised = feed(x, [a, moved]);
      const notices = x.takeFlags();
      expect(notices[1]).toEqual({ merchantId: M1, eventId: moved.eventId, occurredAt: moved.occurredAt, keys: [{ kind: "ip", value: IP2 }], dropped: [{ kind: "ip", value: IP1 }] });
      for (const n of notices) y.flagRemote(n);
      raised.push(...feed(y, later));
      expect(raised.map((al) => [al.merchantId, al.typologies])).toEqual(expected);
      expect(expected).toEqual([
        [M1, ["listed-identifier"]],
        [M4, ["shared-infrastructure"]],
      ]);
      expect(signalOf(y, "shared", M3)).toBeUndefined();
    });

    it("a notice whose keys a later notice dropped before the peers ran links the peers that held them then, not those that took them after", () => {
      const before = merchant({ merchantId: M2, ...infra([IP1]) });
      const a = merchant({ merchantId: M1, ...infra([IP1]) });
      const moved = merchant({ merchantId: M1, ...infra([IP2]) });
      const after = merchant({ merchantId: M3, ...infra([IP1]) });
      const expected = feed(engineWith(RULES, LISTED), [before, a, moved, after]).filter((al) => al.merchantId !== M1);
      expect(expected.map((al) => al.merchantId)).toEqual([M2]);
      const [x, y] = [processEngine(), processEngine()];
      feed(x, [a, moved]);
      const [flag, drop] = x.takeFlags();
      expect(drop?.dropped).toEqual([{ kind: "ip", value: IP1 }]);
      feed(y, [before, after]);
      // both notices read before the peers' partition ran the first's trigger
      const peers = y.flagRemote(flag!);
      y.flagRemote(drop!);
      expect(peers.sort()).toEqual([M2, M3]);
      // not knowing when the key was dropped, nothing links to it now
      expect(y.triggerPeers(flag!, peers)).toEqual([]);
      expect(y.triggerPeers(flag!, peers, Date.parse(drop!.occurredAt))).toEqual(expected);
      // the key is flagged again for that evaluation only
      expect(y.infra.flaggedPeers(M3, [{ kind: "ip", value: IP1 }])).toEqual([]);
    });

    it("a flagged merchant's keys added later make a notice of those keys alone; an engine that does not persist makes none", () => {
      const x = processEngine();
      const first = merchant({ merchantId: M1, ...infra([IP1]) });
      feed(x, [first]);
      x.takeFlags();
      const moved = merchant({ merchantId: M1, ...infra([IP1, IP2]) });
      feed(x, [moved]);
      expect(x.takeFlags()).toEqual([{ merchantId: M1, eventId: moved.eventId, occurredAt: moved.occurredAt, keys: [{ kind: "ip", value: IP2 }] }]);
      const replay = engineWith(RULES, LISTED);
      feed(replay, [first, moved]);
      expect(replay.takeFlags()).toEqual([]);
    });
  });
});
