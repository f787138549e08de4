// A partition given to another member at a rebalance while its earlier member's publisher was still starting (its
// InitProducerId slow: the coordinator aborting a transaction, a loaded broker): that publisher takes the partition's
// transactional id after the new owner's has, fencing it. The new owner's publisher must take it back at its next
// publish; it used to be refused at every retry (INVALID_PRODUCER_EPOCH before anything was added, an abort that sent
// nothing), and the partition's alerts waited in the outbox for good. The earlier publishers' first InitProducerId for
// their transactional id is held here so that the order decides, not luck. Both members run in this process.
// Only calls with a transactional id are held: a kafkajs producer's connect() first asks for a producer id without
// one (each publisher's does). Holding the first of those stopped one of the first member's publishers before its
// transactional call; were its partition the one to move, the new owner's call was that id's first and was held too.
import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import type { Runner } from "../../src/app/run.js";
import { createTopics, expectSampleAlertsOnce, freshNames, freshSchema, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

/** kafkajs's broker connection (the instance kafkajs itself loads), whose InitProducerId the test holds */
const Broker = createRequire(import.meta.url)("kafkajs/src/broker/index.js") as {
  prototype: { initProducerId(o: { transactionalId?: string }): Promise<unknown> };
};

describe("a rebalance while the earlier member's publisher starts", () => {
  it("the new owner's publisher, fenced by it, takes its partition's transactional id back: every alert on the topic once", { timeout: 300_000 }, async () => {
    const n = freshNames("latefence");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const init = Broker.prototype.initProducerId;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    // per transactional id, the InitProducerId calls made and those answered; the ids whose held call has settled
    const made = new Map<string, number>();
    const answered = new Map<string, number>();
    const lateSettled = new Set<string>();
    const spy = vi.spyOn(Broker.prototype, "initProducerId").mockImplementation(async function (this: unknown, o) {
      const id = o.transactionalId;
      if (id === undefined) return init.call(this, o);
      const nth = (made.get(id) ?? 0) + 1;
      made.set(id, nth);
      // the first member's publishers, started at its first assignment
      if (nth !== 1) {
        const r = await init.call(this, o);
        answered.set(id, (answered.get(id) ?? 0) + 1);
        return r;
      }
      await gate;
      try {
        return await init.call(this, o);
      } finally {
        lateSettled.add(id);
      }
    });
    const assigned = async (r: Runner) => /^partitions (\d)$/.exec((await r.readiness()).checks.group?.detail ?? "")?.[1];
    let first: Runner | undefined;
    let second: Runner | undefined;
    try {
      first = await startRunner(n, url);
      await until("the first member's two publishers starting", () => made.size === 2, 60_000);
      second = await startRunner(n, url);
      let moved: string | undefined;
      await until("one partition each", async () => (await assigned(first!)) !== undefined && (moved = await assigned(second!)) !== undefined, 90_000);
      const id = `${n.group}.outbox.${n.events}.${moved}`;
      // at least once: a loaded machine may rebalance more than once before this, and a publisher started again
      // makes a second call (the first member's held one is counted apart)
      await until("the second member's publisher started", () => (answered.get(id) ?? 0) >= 1, 120_000);
      // the first member's publisher of the partition it lost takes the id now
      open();
      await until("the first member's late InitProducerId answered", () => lateSettled.has(id), 120_000);
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url, 60_000);
    } finally {
      open();
      spy.mockRestore();
      await second?.stop();
      await first?.stop();
    }
    await expectSampleAlertsOnce(url, n.alerts);
  });
});
