// Partitions apart in event time (a backlog caught up: the consumer takes each partition's batches in its own order,
// so one partition may run days of event time ahead of another): a merchant flagged on a partition ahead links its
// peers on one behind as replay links them, by the flag's notice at the flag's time, not by the peer's own earlier
// profile event; and a peer that boards after the flag is linked by its own profile event, not by the notice.
import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/decode/events.js";
import type { Runner } from "../../src/app/run.js";
import { held, idOn as idOnOf, listedUrlStack, noticesRead, onIp as onIpOf, replayed } from "./flags.js";
import { casesAndAlerts, ids, produce, startRunner, until, waitCaughtUp } from "./harness.js";

const PARTITIONS = 2;
const IP = "192.0.2.71";
const LISTED_URL = "https://listed-skew.example/gallery/5";
const onIp = onIpOf(IP);

describe("partitions apart in event time", () => {
  it("links a peer on a partition behind by the flag's notice, and one boarded after the flag by its own event", { timeout: 120_000 }, async () => {
    const { n, url, indicators } = await listedUrlStack("skew", PARTITIONS, LISTED_URL);
    const used = new Set<string>();
    const [flagged, before, after] = [idOnOf([0], "F", used, PARTITIONS), idOnOf([1], "B", used, PARTITIONS), idOnOf([1], "A", used, PARTITIONS)];
    // in event time: the peer boards on 1 March, the merchant is flagged on 2 March, another peer boards on 3 March
    const boardsBefore = onIp(before, "2026-03-01T00:00:00Z");
    const flag = onIp(flagged, "2026-03-02T00:00:00Z", [LISTED_URL]);
    const boardsAfter = onIp(after, "2026-03-03T00:00:00Z");

    const runner = await startRunner(n, url, { indicators });
    try {
      // partition 0 runs ahead: the flag is processed (and its notice read) before partition 1's earlier event
      await produce(n.events, [flag]);
      await waitCaughtUp(n, url);
      await produce(n.events, [boardsBefore, boardsAfter]);
      await waitCaughtUp(n, url);
      // the notice read once more after the peers' events, and their triggers committed
      await new Promise((r) => setTimeout(r, 2500));
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    const expected = await replayed([boardsBefore, flag, boardsAfter], indicators);
    const alerts = (await casesAndAlerts(url)).alerts;
    // replay: `before` by the flag's event, `after` by its own
    expect(expected.map((a) => [a.merchantId, a.signals.flatMap((s) => s.evidence.eventIds)]).sort()).toEqual(
      [
        [flagged, ["e-2"]],
        [before, ["e-1", "e-2"]],
        [after, ["e-3"]],
      ].sort(),
    );
    expect(ids(alerts)).toEqual(ids(expected));
  });

  it("links a peer boarded after the flag on a partition ahead by its own event, when the flag's notice comes later", { timeout: 120_000 }, async () => {
    const { n, url, indicators } = await listedUrlStack("skew-ahead", PARTITIONS, LISTED_URL);
    const used = new Set<string>();
    const [flagged, after] = [idOnOf([0], "F", used, PARTITIONS), idOnOf([1], "A", used, PARTITIONS)];
    const flag = onIp(flagged, "2026-03-02T00:00:00Z", [LISTED_URL]);
    const boardsAfter = onIp(after, "2026-03-03T00:00:00Z");
    const runner = await startRunner(n, url, { indicators });
    try {
      // partition 1 runs ahead: the peer's profile (3 March) is processed before the flag (2 March) is known
      await produce(n.events, [boardsAfter]);
      await waitCaughtUp(n, url);
      await produce(n.events, [flag]);
      await waitCaughtUp(n, url);
      await new Promise((r) => setTimeout(r, 2500));
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    const expected = await replayed([flag, boardsAfter], indicators);
    const alerts = (await casesAndAlerts(url)).alerts;
    expect(expected.map((a) => [a.merchantId, a.signals.flatMap((s) => s.evidence.eventIds)]).sort()).toEqual(
      [
        [flagged, ["e-1"]],
        [after, ["e-2"]],
      ].sort(),
    );
    expect(ids(alerts)).toEqual(ids(expected));
    // as replay gives it: at its own profile event's time, that event cited once (the event's details, which the
    // merchant's state did not keep before it was suspect, are not in the context)
    const finding = (a: Alert | undefined) => a && { raisedAt: a.raisedAt, signals: a.signals };
    expect(finding(alerts.find((a) => a.merchantId === after))).toEqual(finding(expected.find((a) => a.merchantId === after)));
  });

  it("links a peer behind by the flag's notice before its own later events of the same chunk", { timeout: 120_000 }, async () => {
    const { n, url, indicators } = await listedUrlStack("skew-chunk", PARTITIONS, LISTED_URL);
    const used = new Set<string>();
    const [flagged, peer] = [idOnOf([0], "F", used, PARTITIONS), idOnOf([1], "P", used, PARTITIONS)];
    const flag = onIp(flagged, "2026-03-02T00:00:00Z", [LISTED_URL]);
    // the peer shares the address from 1 March and moves to another on 3 March: it held it at the flag
    const boards = onIp(peer, "2026-03-01T00:00:00Z");
    const moves = onIpOf("192.0.2.72")(peer, "2026-03-03T00:00:00Z");
    const runner = await startRunner(n, url, { indicators });
    try {
      await produce(n.events, [flag]);
      await waitCaughtUp(n, url);
      // both of the peer's events in one chunk, after the flag is known
      await produce(n.events, [boards, moves]);
      await waitCaughtUp(n, url);
      await new Promise((r) => setTimeout(r, 2500));
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    const expected = await replayed([boards, flag, moves], indicators);
    expect(expected.map((a) => [a.merchantId, a.signals.flatMap((s) => s.evidence.eventIds)]).sort()).toEqual(
      [
        [flagged, ["e-1"]],
        [peer, ["e-2", "e-1"]],
      ].sort(),
    );
    expect(ids((await casesAndAlerts(url)).alerts)).toEqual(ids(expected));
  });

  it("keeps the flags of a merchant whose partition went to another process, read from its notices again", { timeout: 180_000 }, async () => {
    const { n, url, indicators } = await listedUrlStack("skew-moved", PARTITIONS, LISTED_URL);
    const used = new Set<string>();
    // a flagged merchant on each partition, each on an address of its own
    const ips = ["192.0.2.80", "192.0.2.81"];
    const flagged = [0, 1].map((p) => idOnOf([p], `F${p}`, used, PARTITIONS));
    const flags = [0, 1].map((p) => onIpOf(ips[p]!)(flagged[p]!, `2026-03-02T0${p}:00:00Z`, [LISTED_URL]));
    const lines = [...flags];
    const a = await startRunner(n, url, { indicators });
    let b: Runner | undefined;
    try {
      await produce(n.events, flags);
      await waitCaughtUp(n, url);
      await noticesRead(a)();
      // the partition B takes is released by A only after A's next read of the notices, begun at the rebalance (a
      // large partition's checkpoint on release takes that long)
      const checkpoints = (a as unknown as { checkpoints: { checkpoint: (p?: number[]) => Promise<void> } }).checkpoints;
      const checkpoint = checkpoints.checkpoint.bind(checkpoints);
      checkpoints.checkpoint = async (p) => {
        if (p?.length === 1) await new Promise((r) => setTimeout(r, 2500));
        return checkpoint(p);
      };
      b = await startRunner(n, url, { indicators });
      await until("each process holds a partition", async () => (await held(a)).length === 1 && (await held(b!)).length === 1, 90_000);
      const [kept] = await held(a);
      await until("the other partition released", () => (a as unknown as { partitions: { owned: Map<number, unknown> } }).partitions.owned.size === 1, 30_000);
      // a merchant boarding on A's partition after the flags, on the address of the merchant now on B's
      const peer = onIpOf(ips[1 - kept!]!)(idOnOf([kept!], "P", used, PARTITIONS), "2026-03-03T00:00:00Z");
      lines.push(peer);
      await produce(n.events, [peer]);
      await waitCaughtUp(n, url);
      await noticesRead(a)();
      await waitCaughtUp(n, url);
    } finally {
      await b?.stop();
      await a.stop();
    }
    const expected = await replayed(lines, indicators);
    expect(expected).toHaveLength(3);
    expect(ids((await casesAndAlerts(url)).alerts)).toEqual(ids(expected));
  });
});
