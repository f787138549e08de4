// A rule tuner switches off (here: to shadow) the rule that flagged a merchant, in a running `moneytrail run`: the
// merchant is no longer flagged at once, not at its next event, which may never come. Its notice dropping its keys is
// committed on its partition without an event, so a merchant boarding on its infrastructure later raises no
// shared-infrastructure alert (a new case) through it: neither in the running process nor after a restart, when
// every notice is read again; nor when the rules are changed while the service is down.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { loadRuleSet, type RuleSet } from "../../src/rules/ruleset.js";
import { merchant } from "../helpers/events.js";
import { alerted, drops, listingStack, noticesRead, onIp as onIpOf } from "./flags.js";
import { produce, startRunner, until, waitCaughtUp } from "./harness.js";

const IP = "192.0.2.91";
const LISTED_URL = "https://listed.example/gallery/9";
const [A, B, C, D] = ["acq-test:M-RA", "acq-test:M-RB", "acq-test:M-RC", "acq-test:M-RD"];
const onIp = onIpOf(IP);

describe("a merchant flagged by a rule the tuner switches off", () => {
  it("is unflagged at the reload, its notice committed without an event: later peers are not linked to it, after a restart neither", { timeout: 180_000 }, async () => {
    const { n, url, rules, indicators, shadow } = await listingStack("reload-unflag", 1, "reload-unflag", LISTED_URL);

    const first = await startRunner(n, url, { rules, indicators });
    try {
      await produce(n.events, [onIp(B, "2026-03-01T00:00:00Z"), onIp(A, "2026-03-01T00:01:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      expect(await alerted(url)).toEqual([
        [A, ["linked-to-flagged"]],
        [B, ["shared-infrastructure"]],
      ]);
      expect(first.engine.merchants.get(A)?.flagged).toBe(true);

      const version = shadow();
      await until("the changed rule set in force", () => first.rulesStatus.version === version);
      expect(first.engine.merchants.get(A)?.flagged).toBe(false);
      // no event of A's partition since: written with its position
      await until("A's keys dropped for the other processes", async () => (await drops(url, A)).length === 1, 10_000);

      await produce(n.events, [onIp(C, "2026-03-02T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await first.stop();
    }
    expect(await alerted(url)).toEqual([
      [A, ["linked-to-flagged"]],
      [B, ["shared-infrastructure"]],
    ]);

    // every notice read again from the start: the one dropping A's keys undoes the one that flagged them
    const second = await startRunner(n, url, { rules, indicators });
    const read = noticesRead(second);
    try {
      // an event of another merchant has the partition claimed (A restored, not flagged), then its notices are read
      await produce(n.events, [JSON.stringify(merchant({ merchantId: D, occurredAt: "2026-03-03T00:00:00Z", infrastructure: { ips: ["192.0.2.92"], analyticsIds: [] } }))]);
      await waitCaughtUp(n, url);
      await read();
      expect(second.engine.merchants.get(A)?.flagged).toBe(false);
      expect(second.engine.infra.flaggedPeers(C, [{ kind: "ip", value: IP }])).toEqual([]);
      await produce(n.events, [onIp(D, "2026-03-04T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await second.stop();
    }
    expect((await alerted(url)).map(([m]) => m)).toEqual([A, B]);
  });

  it("is unflagged when its partition is claimed under rules changed while the service was down", { timeout: 180_000 }, async () => {
    const { n, url, rules, indicators, shadow } = await listingStack("reload-unflag-down", 1, "reload-unflag", LISTED_URL);

    const first = await startRunner(n, url, { rules, indicators });
    try {
      await produce(n.events, [onIp(B, "2026-03-01T00:00:00Z"), onIp(A, "2026-03-01T00:01:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
    } finally {
      await first.stop();
    }
    shadow();

    const second = await startRunner(n, url, { rules, indicators });
    const read = noticesRead(second);
    try {
      // an event of another merchant has the partition claimed: A restored from its checkpoint, flagged, and unflagged
      await produce(n.events, [JSON.stringify(merchant({ merchantId: D, occurredAt: "2026-03-02T00:00:00Z", infrastructure: { ips: ["192.0.2.92"], analyticsIds: [] } }))]);
      await waitCaughtUp(n, url);
      await until("A's keys dropped for the other processes", async () => (await drops(url, A)).length === 1, 10_000);
      expect(second.engine.merchants.get(A)?.flagged).toBe(false);
      // the claim reads every notice again, A's flag among them: the drop, read after it, undoes it
      await read();
      await produce(n.events, [onIp(C, "2026-03-03T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await second.stop();
    }
    expect(await alerted(url)).toEqual([
      [A, ["linked-to-flagged"]],
      [B, ["shared-infrastructure"]],
    ]);
  });

  it("a reload while a checkpoint is written leaves each row the merchant's state at the checkpoint's offset", { timeout: 180_000 }, async () => {
    const { n, url, rules, indicators, shadow } = await listingStack("reload-unflag-cut", 1, "reload-unflag", LISTED_URL);
    // no checkpoint but the one this test begins
    const runner = await startRunner(n, url, { rules, indicators, checkpointMs: 600_000 });
    try {
      await produce(n.events, [onIp(B, "2026-03-01T00:00:00Z"), onIp(A, "2026-03-01T00:01:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      const internals = runner as unknown as { checkpoints: { serialiseOne(cut: unknown, id: string): void; checkpoint(partitions?: number[]): Promise<void> }; putInForce(rs: RuleSet): void };
      const checkpoints = internals.checkpoints;
      shadow();
      const next = loadRuleSet(rules);
      // the reload comes between two merchants being serialised (as between two slices): B is written, A not yet
      const serialiseOne = checkpoints.serialiseOne.bind(checkpoints);
      let reloaded = false;
      checkpoints.serialiseOne = (cut, id) => {
        serialiseOne(cut, id);
        if (reloaded) return;
        reloaded = true;
        expect(id).toBe(B);
        internals.putInForce(next);
      };
      await checkpoints.checkpoint([0]);
      expect(reloaded).toBe(true);
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const rows = await pool.query<{ flagged: string | null }>("SELECT state->>'flagged' AS flagged FROM mt_merchant_state WHERE merchant_id = $1", [A]);
        // flagged at the checkpoint's offset: restored, it is unflagged again under the rules in force, and its notice made again
        expect(rows.rows).toEqual([{ flagged: "true" }]);
      } finally {
        await pool.end();
      }
    } finally {
      await runner.stop();
    }
  });
});
