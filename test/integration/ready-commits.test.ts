// /readyz while PostgreSQL answers but refuses the consumer's writes (a standby promoted the other way round after a
// failover, a full disk, a privilege taken away): its database check is a SELECT 1, which passes, so the process
// said ready while no chunk's outputs or position were saved. Now a `commits` check fails until a commit succeeds.
import { describe, expect, it } from "vitest";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

describe("readiness while PostgreSQL refuses the consumer's writes", () => {
  it("is not ready, saying why and what to check, until a commit succeeds again", { timeout: 120_000 }, async () => {
    const n = freshNames("rdycommit");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const runner = await startRunner(n, url);
    const store = (runner as unknown as { store: PgStore }).store;
    const commit = store.commitOutputs.bind(store);
    let refusing = true;
    store.commitOutputs = async (b) => {
      if (refusing) throw new Error("injected: cannot execute INSERT in a read-only transaction");
      return commit(b);
    };
    try {
      await produce(n.events, sampleLines());
      await until("not ready for the refused commits", async () => (await runner.readiness()).checks.commits?.ok === false, 60_000);
      const r = await runner.readiness();
      expect(r.ready).toBe(false);
      // PostgreSQL itself answers
      expect(r.checks.database).toEqual({ ok: true });
      expect(r.checks.commits?.detail).toMatch(/^PostgreSQL has refused the outputs' and positions' writes \d+ times since \S+ \(injected: cannot execute INSERT in a read-only transaction\): nothing is saved until it takes them; check that the database is writable/);

      refusing = false;
      await waitCaughtUp(n, url);
      await until("ready again", async () => (await runner.readiness()).ready, 30_000);
    } finally {
      await runner.stop();
    }
  });
});
