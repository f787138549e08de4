// kill -9 the consumer at random points while events are being produced, restart it each time: the final
// alerts (topic and table) and cases equal those of an uninterrupted run. One partition, so the uninterrupted
// run is exactly `replay` on the same file.
import { describe, it, expect } from "vitest";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { Alert } from "../../src/decode/events.js";
import { casesAndAlerts, createTopics, freshNames, freshSchema, ids, produce, readTopic, replayAlerts, sampleLines, spawnRunner, waitCaughtUp } from "./harness.js";

const KILLS = Number(process.env.MT_CRASH_KILLS ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("crash recovery", () => {
  it(`survives ${KILLS} kill -9 at random points: nothing lost, nothing doubled`, { timeout: 600_000 }, async () => {
    const n = freshNames("crash");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const env = { MT_SESSION_TIMEOUT_MS: "6000", MT_COMMIT_EVERY: "200" };
    // spread production over the kill loop so kills land while events arrive
    const producing = produce(n.events, lines, { batch: 50, pauseMs: Math.ceil((KILLS * 4500) / (lines.length / 50)) });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killed = 0;
    for (let k = 0; k < KILLS; k++) {
      const child: ChildProcess = spawnRunner(n, url, env);
      await sleep(2500 + random() * 4000);
      child.kill("SIGKILL");
      await once(child, "exit");
      killed++;
    }
    await producing;
    const final = spawnRunner(n, url, env);
    await waitCaughtUp(n, url, 180_000);
    final.kill("SIGTERM");
    const [code] = (await once(final, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(killed).toBe(KILLS);

    const expected = await replayAlerts();
    const { alerts, cases } = await casesAndAlerts(url);
    expect(ids(alerts)).toEqual(ids(expected));
    expect(alerts.sort((a, b) => a.alertId.localeCompare(b.alertId))).toEqual([...expected].sort((a, b) => a.alertId.localeCompare(b.alertId)));
    const onTopic = (await readTopic(n.alerts, { count: expected.length })).map((m) => JSON.parse(m.value.toString()) as Alert);
    expect(ids(onTopic)).toEqual(ids(expected)); // exactly once on the topic: no duplicate, none missing
    const merchants = [...new Set(expected.map((a) => a.merchantId))].sort();
    expect(cases.map((c) => c.merchant_id)).toEqual(merchants);
  });
});
