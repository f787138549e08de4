// A batch that takes longer than the group's session timeout: between its chunks the consumer heartbeats and, every
// few seconds, commits its Kafka offsets (a commit counts as a heartbeat too), so the broker keeps it in the group (no
// rebalance, no second assignment) and every event is processed once. Without both, the member is dropped and joins
// again (tried: a second assignment).
import { describe, it, expect, vi } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runner } from "../../src/app/run.js";
import type { Event } from "../../src/decode/events.js";
import { casesAndAlerts, createTopics, freshNames, freshSchema, ids, produce, replayAlerts, sampleLines, startRunner, waitCaughtUp } from "./harness.js";

const SESSION_MS = 6000;
const EVENTS = 1500;
const PER_EVENT_MS = 6; // 1,500 events in one batch: about 9 s, half as long again as the session timeout

describe("a batch longer than the session timeout", () => {
  it("keeps the consumer in its group: one assignment, every event once, the alerts replay gives", async () => {
    const n = freshNames("slowbatch");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines().slice(0, EVENTS);
    const file = join(mkdtempSync(join(tmpdir(), "mt-slow-")), "events.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const expected = await replayAlerts(file);
    // all of it on the topic before the consumer joins, so that its first fetch brings one batch of them all
    await produce(n.events, lines);

    const assignments = vi.spyOn(Runner.prototype as unknown as { onAssignment: (p: number[]) => void }, "onAssignment");
    const batches: number[] = [];
    const onBatch = Runner.prototype["onBatch" as keyof Runner] as unknown as (...a: unknown[]) => Promise<void>;
    vi.spyOn(Runner.prototype as unknown as { onBatch: typeof onBatch }, "onBatch").mockImplementation(async function (this: Runner, ...a: unknown[]) {
      const t0 = Date.now();
      await onBatch.apply(this, a);
      batches.push(Date.now() - t0);
    });
    const runner = await startRunner(n, url, { sessionTimeoutMs: SESSION_MS, commitEvery: 100 });
    try {
      // a slow engine, as under a heavy rule set or a busy machine: the event loop is held for each event
      const process = runner.engine.process.bind(runner.engine);
      runner.engine.process = (e: Event) => {
        const until = Date.now() + PER_EVENT_MS;
        while (Date.now() < until);
        return process(e);
      };
      await waitCaughtUp(n, url, 120_000);
    } finally {
      await runner.stop();
      vi.restoreAllMocks();
    }
    expect(Math.max(...batches), "the longest batch outlasted the session timeout").toBeGreaterThan(SESSION_MS);
    expect(assignments).toHaveBeenCalledTimes(1);
    expect((await runner.metrics.consumed.get()).values[0]?.value).toBe(EVENTS);
    const { alerts } = await casesAndAlerts(url);
    expect(ids(alerts)).toEqual(ids(expected));
  });
});
