// A broker restart in the middle of a run: the consumer rides it out without manual action, and the result is
// exactly that of an uninterrupted run. Needs a broker this test run started (not one from KAFKA_BROKERS).
import { describe, it, expect, inject } from "vitest";
import { restartBroker } from "../infra/control.js";
import {
  consuming,
  createTopics,
  expectSampleAlertsOnce,
  freshNames,
  freshSchema,
  produce,
  sampleLines,
  spawnRunner,
  waitCaughtUp,
} from "./harness.js";
import { once } from "node:events";

describe.skipIf(!inject("kafkaRestartable"))("broker restart", () => {
  it("is survived mid-run: nothing lost, nothing doubled, no manual action", { timeout: 300_000 }, async () => {
    const n = freshNames("restart");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const runner = spawnRunner(n, url, { LOG_LEVEL: "info", MT_SESSION_TIMEOUT_MS: "10000" });
    const exited = once(runner, "exit") as Promise<[number | null]>;
    try {
      await consuming(runner);
      const third = Math.floor(lines.length / 3);
      await produce(n.events, lines.slice(0, third));
      // a crash of the broker, down for a few seconds, while the consumer is working
      const restart = restartBroker({ signal: "SIGKILL", downMs: 3000 });
      await restart;
      await produce(n.events, lines.slice(third));
      await waitCaughtUp(n, url, 180_000);
    } finally {
      // on failure too: a runner left behind goes on trying the broker after the test run
      runner.kill("SIGTERM");
    }
    const [code] = await exited;
    expect(code).toBe(0);

    await expectSampleAlertsOnce(url, n.alerts);
  });
});
