// A merchant no longer flagged (the indicator that flagged it expired) stays so for `moneytrail run` across a
// restart: its flag notices, read again from the start when the partition is claimed, end where its last one has it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { indicatorSet, resetEvents, tx } from "../helpers/events.js";
import { alerted, noticesRead, onIp as onIpOf } from "./flags.js";
import { casesAndAlerts, createTopics, freshNames, freshSchema, produce, startRunner, waitCaughtUp } from "./harness.js";

const IP = "192.0.2.88";
const LISTED_URL = "https://listed.example/gallery/2";
const [A, B, C, D] = ["acq-test:M-UA", "acq-test:M-UB", "acq-test:M-UC", "acq-test:M-UD"];
const onIp = onIpOf(IP);

describe("a merchant no longer flagged, across a restart", () => {
  it("is not flagged again by its old notice, read again when its partition is claimed", { timeout: 120_000 }, async () => {
    resetEvents();
    const n = freshNames("unflag");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const dir = mkdtempSync(join(tmpdir(), "mt-unflag-"));
    const indicators = join(dir, "set.json");
    const entry = { id: "url-1", kind: "url" as const, value: LISTED_URL, confidence: 95, validUntil: "2026-03-10T00:00:00Z" };
    writeFileSync(indicators, JSON.stringify(indicatorSet([entry], { id: "expiring", source: "member:hotline-test" })));

    // A flagged by the listed URL, B linked through the IP; A's next event after the entry expired unflags it
    const first = await startRunner(n, url, { indicators });
    try {
      await produce(n.events, [onIp(A, "2026-03-01T00:00:00Z", [LISTED_URL]), onIp(B, "2026-03-01T00:01:00Z"), JSON.stringify(tx({ merchantId: A, occurredAt: "2026-03-11T00:00:00Z" }))]);
      await waitCaughtUp(n, url);
      expect(first.engine.merchants.get(A)?.flagged).toBe(false);
    } finally {
      await first.stop();
    }
    expect(await alerted(url)).toEqual([
      [A, ["linked-to-flagged"]],
      [B, ["shared-infrastructure"]],
    ]);

    const second = await startRunner(n, url, { indicators });
    try {
      const read = noticesRead(second);
      // an event of another merchant has the partition claimed (A restored, not flagged), then its notices are read
      await produce(n.events, [JSON.stringify(tx({ merchantId: D, occurredAt: "2026-03-11T00:05:00Z" }))]);
      await waitCaughtUp(n, url);
      await read();
      expect(second.engine.merchants.get(A)?.flagged).toBe(false);
      expect(second.engine.infra.flaggedPeers(C, [{ kind: "ip", value: IP }])).toEqual([]);
      await produce(n.events, [onIp(C, "2026-03-12T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await second.stop();
    }
    expect((await casesAndAlerts(url)).alerts.map((a) => a.merchantId).sort()).toEqual([A, B]);
  });
});
