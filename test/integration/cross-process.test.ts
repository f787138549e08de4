// Shared infrastructure across processes: a merchant flagged by one `moneytrail run` links merchants on partitions
// another process holds, as one process (and replay) would.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { Partitioners } from "kafkajs";
import type { Runner } from "../../src/app/run.js";
import { casesAndAlerts, createTopics, freshNames, freshSchema, ids, produce, readTopic, replayAlerts, SAMPLE_INDICATORS, startRunner, until, waitCaughtUp } from "./harness.js";

const PARTITIONS = 4;
const partitionOf = (() => {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return (key: string): number => partitioner({ topic: "t", partitionMetadata, message: { key, value: null } });
})();

/** A merchant id, not yet used, whose events land on one of `partitions`. */
function idOn(partitions: number[], prefix: string, used: Set<string>): string {
  for (let i = 0; ; i++) {
    const id = `acq-test:M-${prefix}${i}`;
    if (!used.has(id) && partitions.includes(partitionOf(id))) {
      used.add(id);
      return id;
    }
  }
}

/** The partitions a runner holds, from its readiness check. */
async function held(r: Runner): Promise<number[]> {
  const detail = (await r.readiness()).checks.group?.detail ?? "";
  const m = /^partitions ([\d,]+)$/.exec(detail);
  return m ? m[1]!.split(",").map(Number) : [];
}

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
    infrastructure: { ips: [], analyticsIds: ["UA-424242-1"] },
    ...over,
  });
}

describe("shared infrastructure across processes", () => {
  it("a merchant flagged in one process alerts merchants on the other's partitions, before and after it was flagged; the alerts replay gives, once each", { timeout: 180_000 }, async () => {
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
      merchants.push(flagged, before, after);
      lines.push(profile(before, 0), profile(flagged, 1, { payoutAccount: listedAccount }));
      await produce(n.events, lines);
      await until("the peer's alert, raised by the process that holds it", async () => (await casesAndAlerts(url)).alerts.length === 2, 30_000);
      lines.push(profile(after, 2));
      await produce(n.events, lines.slice(2));
      await until("the late peer's alert", async () => (await casesAndAlerts(url)).alerts.length === 3, 30_000);
      await waitCaughtUp(n, url);
    } finally {
      await b?.stop();
      await a.stop();
    }
    const file = join(mkdtempSync(join(tmpdir(), "mt-xproc-")), "events.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const expected = await replayAlerts(file);
    const [flagged, before, after] = merchants;
    expect(expected.map((x) => [x.merchantId, x.typologies])).toEqual([
      [flagged, ["listed-identifier"]],
      [before, ["shared-infrastructure"]],
      [after, ["shared-infrastructure"]],
    ]);
    const { alerts, cases } = await casesAndAlerts(url);
    expect(ids(alerts)).toEqual(ids(expected));
    expect(cases.map((c) => c.merchant_id).sort()).toEqual(expected.map((x) => x.merchantId).sort());
    const onTopic = await readTopic(n.alerts, { count: alerts.length });
    expect(onTopic.map((m) => (JSON.parse(m.value.toString()) as { alertId: string }).alertId).sort()).toEqual(ids(expected));
  });
});
