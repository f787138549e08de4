// Shared infrastructure across processes: a merchant flagged by one `moneytrail run` links merchants on partitions
// another process holds, as one process (and replay) would.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { describe, it, expect } from "vitest";
import type { Runner } from "../../src/app/run.js";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import {
  casesAndAlerts,
  consuming,
  createTopics,
  freshNames,
  freshSchema,
  ids,
  produce,
  readTopic,
  replayAlerts,
  SAMPLE_INDICATORS,
  spawnRunner,
  startRunner,
  until,
  waitCaughtUp,
} from "./harness.js";
import { held, idOn as idOnOf, partitionOf as partitionOfOf } from "./flags.js";

const PARTITIONS = 4;
const partitionOf = (key: string): number => partitionOfOf(key, PARTITIONS);
const idOn = (partitions: number[], prefix: string, used: Set<string>): string => idOnOf(partitions, prefix, used, PARTITIONS);

// the payout account that the sample indicator set lists (confidence 90: critical, alerted at once)
const listedAccount = (() => {
  const set = JSON.parse(readFileSync(join(SAMPLE_INDICATORS, "coalition-sample.json"), "utf8")) as { entries: { kind: string; value: string }[] };
  return set.entries.find((e) => e.kind === "account-sha256")!.value;
})();

let eventNo = 0;
function profile(merchantId: string, minute: number, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: "merchant",
    eventId: `xp-${++eventNo}`,
    occurredAt: new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString(),
    merchantId,
    acquirerId: "acq-test",
    legalName: "Synthetic Shop Ltd",
    descriptor: `SHOP ${merchantId.slice(-3)}`,
    mcc: "5999",
    country: "NL",
    websites: [`https://shop-${merchantId.slice(-3).toLowerCase()}.example/`],
    infrastructure: { ips: [], analyticsIds: ["UA-0424242-1"] },
    ...over,
  });
}

describe("shared infrastructure across processes", () => {
  it("a merchant flagged in one process alerts merchants on the other's partitions, before and after it was flagged, and on keys it adds later, not on those it drops; the alerts replay gives, once each", { timeout: 180_000 }, async () => {
    const n = freshNames("xproc");
    await createTopics(n, PARTITIONS);
    const url = await freshSchema(n);
    const a = await startRunner(n, url);
    let b: Runner | undefined;
    const lines: string[] = [];
    const merchants: string[] = [];
    try {
      b = await startRunner(n, url);
      await until(
        "both processes hold partitions",
        async () => {
          const [ha, hb] = [await held(a), await held(b!)];
          return ha.length > 0 && hb.length > 0 && ha.length + hb.length === PARTITIONS;
        },
        90_000,
      );
      const [onA, onB] = [await held(a), await held(b)];
      const used = new Set<string>();
      // the flagged merchant on the first process; one peer boards before it is flagged, one after, on the second
      const flagged = idOn(onA, "F", used);
      const before = idOn(onB, "P", used);
      const after = idOn(onB, "Q", used);
      // on the second process too: one already on the analytics ID the flagged merchant moves to, and one boarding
      // on the ID it left, after the move
      const moved = idOn(onB, "R", used);
      const left = idOn(onB, "S", used);
      merchants.push(flagged, before, after, moved);
      lines.push(profile(before, 0), profile(flagged, 1, { payoutAccount: listedAccount }));
      await produce(n.events, lines);
      await until("the peer's alert, raised by the process that holds it", async () => (await casesAndAlerts(url)).alerts.length === 2, 30_000);
      lines.push(profile(after, 2));
      await produce(n.events, lines.slice(2));
      await until("the late peer's alert", async () => (await casesAndAlerts(url)).alerts.length === 3, 30_000);
      const newId = { infrastructure: { ips: [], analyticsIds: ["UA-0777777-1"] } };
      lines.push(profile(moved, 3, newId));
      await produce(n.events, lines.slice(3));
      await waitCaughtUp(n, url);
      // one notice of the keys added and dropped: once the merchant on the new ID is alerted, the old one is not flagged
      lines.push(profile(flagged, 4, { payoutAccount: listedAccount, ...newId }));
      await produce(n.events, lines.slice(4));
      await until("the alert of the merchant on the ID the flagged one moved to", async () => (await casesAndAlerts(url)).alerts.some((x) => x.merchantId === moved), 30_000);
      lines.push(profile(left, 5));
      await produce(n.events, lines.slice(5));
      await waitCaughtUp(n, url);
    } finally {
      await b?.stop();
      await a.stop();
    }
    const file = join(mkdtempSync(join(tmpdir(), "mt-xproc-")), "events.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const expected = await replayAlerts(file);
    const [flagged, before, after, moved] = merchants;
    expect(expected.map((x) => [x.merchantId, x.typologies])).toEqual([
      [flagged, ["listed-identifier"]],
      [before, ["shared-infrastructure"]],
      [after, ["shared-infrastructure"]],
      [moved, ["shared-infrastructure"]],
    ]);
    const { alerts, cases } = await casesAndAlerts(url);
    expect(ids(alerts)).toEqual(ids(expected));
    expect(cases.map((c) => c.merchant_id).sort()).toEqual(expected.map((x) => x.merchantId).sort());
    const onTopic = await readTopic(n.alerts, { count: alerts.length });
    expect(onTopic.map((m) => (JSON.parse(m.value.toString()) as { alertId: string }).alertId).sort()).toEqual(ids(expected));
  });

  it("kill -9 of the peer's process before it checkpointed the peer: the notice read again links it again, and its alert is not raised twice", { timeout: 240_000 }, async () => {
    const n = freshNames("xkill");
    await createTopics(n, PARTITIONS);
    const url = await freshSchema(n);
    const quick = { sessionTimeoutMs: 6000 };
    const x = await startRunner(n, url, quick);
    // no checkpoint within the test: the peer's state after the restart is rebuilt from its events alone
    const y = spawnRunner(n, url, { MT_SESSION_TIMEOUT_MS: "6000", MT_CHECKPOINT_MS: "600000", LOG_LEVEL: "info" });
    let y2: Runner | undefined;
    const lines: string[] = [];
    let flagged = "";
    let peer = "";
    try {
      await consuming(y);
      await until("each process holds half the partitions", async () => (await held(x)).length === PARTITIONS / 2, 90_000);
      const onX = await held(x);
      const used = new Set<string>();
      flagged = idOn(onX, "G", used);
      peer = idOn([0, 1, 2, 3].filter((p) => !onX.includes(p)), "R", used);
      lines.push(profile(peer, 0), profile(flagged, 1, { payoutAccount: listedAccount }));
      await produce(n.events, lines);
      await until("the peer's alert", async () => (await casesAndAlerts(url)).alerts.length === 2, 30_000);
      await waitCaughtUp(n, url);
      y.kill("SIGKILL");
      await once(y, "exit");
      y2 = await startRunner(n, url, quick);
      // round-robin assignment keeps partitions of different parity apart, as the two merchants' were
      await until(
        "the two merchants on different processes again",
        async () => {
          const [hx, hy] = [await held(x), await held(y2!)];
          return hx.length === PARTITIONS / 2 && hy.length === PARTITIONS / 2;
        },
        90_000,
      );
      const holder = (await held(x)).includes(partitionOf(peer)) ? x : y2;
      expect((await held(holder === x ? y2 : x)).includes(partitionOf(flagged))).toBe(true);
      // the process now holding the peer has it from its events, without the link, until it reads the notice again
      await until("the peer linked again", () => holder.engine.merchants.get(peer)?.signals["shared-infrastructure"] !== undefined, 30_000);
      await waitCaughtUp(n, url);
    } finally {
      if (y.exitCode === null && y.signalCode === null) y.kill("SIGKILL");
      await y2?.stop();
      await x.stop();
    }
    await expectReplaysAlertsOnce(lines, url, n.alerts, [flagged, peer]);
  });

  it("one process holding both merchants' partitions: the flagging chunk's failed commit does not lose the peer's alert", { timeout: 120_000 }, async () => {
    const n = freshNames("xpart");
    await createTopics(n, PARTITIONS);
    const url = await freshSchema(n);
    const r = await startRunner(n, url);
    const lines: string[] = [];
    const used = new Set<string>();
    const flagged = idOn([0], "H", used);
    const peer = idOn([1], "T", used);
    // the flagging chunk's commit fails once (PostgreSQL away for a moment): its partition is given up, claimed
    // again, and the event processed again; the peer's partition stays, with the peer's state in memory
    const store = (r as unknown as { store: PgStore }).store;
    const commit = store.commitOutputs.bind(store);
    let failed = 0;
    store.commitOutputs = async (b) => {
      if (b.alerts.some((a) => a.merchantId === flagged) && failed++ === 0) throw new Error("injected: the connection was lost");
      return commit(b);
    };
    try {
      lines.push(profile(peer, 0));
      await produce(n.events, lines);
      await until("the peer held", () => r.engine.merchants.has(peer), 30_000);
      lines.push(profile(flagged, 1, { payoutAccount: listedAccount }));
      await produce(n.events, lines.slice(1));
      await until("both alerts", async () => (await casesAndAlerts(url)).alerts.length === 2, 30_000);
      await waitCaughtUp(n, url);
    } finally {
      await r.stop();
    }
    expect(failed).toBeGreaterThan(1);
    await expectReplaysAlertsOnce(lines, url, n.alerts, [flagged, peer]);
  });
});

/**
 * The alerts of the run are replay's over the same events (which alerts the flagged merchant, then its peer), in the
 * case table and on the alerts topic: every message on it, so the peer's alert is there once.
 */
async function expectReplaysAlertsOnce(lines: string[], url: string, alertsTopic: string, merchants: string[]): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), "mt-xproc-")), "events.ndjson");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const expected = await replayAlerts(file);
  expect(expected.map((a) => a.merchantId)).toEqual(merchants);
  const { alerts } = await casesAndAlerts(url);
  expect(ids(alerts)).toEqual(ids(expected));
  const onTopic = await readTopic(alertsTopic, { idleMs: 3000 });
  expect(onTopic.map((m) => (JSON.parse(m.value.toString()) as { alertId: string }).alertId).sort()).toEqual(ids(expected));
}
