// /readyz is not ready while the consumer is out of its group: kafkajs disconnects a consumer that crashed, and it is
// started again seconds later; readiness kept saying "in the group" all the while (with the broker and the database
// answering, 200), because it only ever learnt of joining, not of leaving.
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/processes.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until } from "./harness.js";

describe("/readyz", () => {
  it("is 503 while the consumer, stopped on an error, has not joined its group again, then ready", { timeout: 120_000 }, async () => {
    const n = freshNames("ready-crash");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const port = await freePort();
    const runner = await startRunner(n, url, { metricsPort: port });
    const readyz = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: r.status, body: (await r.json()) as { checks: { group: { ok: boolean; detail?: string } } } };
    };
    try {
      await until("ready", async () => (await readyz()).status === 200, 60_000);
      // the next batch fails as when no broker is left (kafkajs gives such an error no retry): kafkajs disconnects the
      // consumer and gives it up, and startConsumer starts it again 5 s later
      const target = runner as unknown as { onBatch: (payload: unknown) => Promise<void> };
      const onBatch = target.onBatch.bind(runner);
      target.onBatch = async () => {
        target.onBatch = onBatch;
        throw Object.assign(new Error("injected: no broker available"), { name: "KafkaJSNoBrokerAvailableError", retriable: false });
      };
      await produce(n.events, sampleLines().slice(0, 10));
      let seen: Awaited<ReturnType<typeof readyz>> | undefined;
      await until("not ready while out of the group", async () => {
        const r = await readyz();
        if (r.status === 503) seen = r;
        return r.status === 503;
      }, 30_000);
      expect(seen!.body.checks.group).toEqual({ ok: false, detail: "not in the consumer group: joining (at start, or again after the consumer stopped on an error)" });
      await until("ready again once it has joined", async () => (await readyz()).status === 200, 60_000);
    } finally {
      await runner.stop().catch(() => undefined);
    }
  });
});
