// The re-boarding case across two `moneytrail run` processes: the merchant whose account the bank closed is held by
// one process (a child process, stopped with SIGTERM and started again as an operator would), the merchants that
// board on its IP by the other. The closed account reaches the other process as the flag notice that the first
// writes when it reads the list of closed accounts, and the other names the merchant as terminated without waiting
// for its own next read of the list.
import { once } from "node:events";
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { Runner } from "../../src/app/run.js";
import { alerted, closeAccount, drops, held, idOn, listingStack, onIp as onIpOf, sharedExplanations } from "./flags.js";
import { consuming, produce, spawnRunner, startRunner, until, waitCaughtUp } from "./harness.js";

const PARTITIONS = 4;
const IP = "192.0.2.94";
const LISTED_URL = "https://listed.example/gallery/8";
const onIp = onIpOf(IP);

describe("a merchant whose account the bank closed, across processes", () => {
  it("links the merchants the other process holds, through its flag notice, named as terminated: those boarded before at once, later ones at their profile, after a restart too", { timeout: 300_000 }, async () => {
    const { n, url, rules, indicators, shadow } = await listingStack("termxp", PARTITIONS, "termxp", LISTED_URL);
    const there = (): ChildProcess => spawnRunner(n, url, { MT_RULES: rules, MT_INDICATORS: indicators, MT_SESSION_TIMEOUT_MS: "6000", LOG_LEVEL: "info" });
    const here = await startRunner(n, url, { rules, indicators, sessionTimeoutMs: 6000 });
    // this process's own read of the closed accounts (every 5 s) does not come round within the test: it learns of
    // them only as the other process's notices make it read them
    clearInterval((here as unknown as { terminatedTimer: NodeJS.Timeout }).terminatedTimer);
    let child = there();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const used = new Set<string>();
    // A on the other process's partitions, the merchants boarding on its IP on this one's
    const ids = { A: "", B: "", C: "", D: "" };
    try {
      await consuming(child);
      ids.A = idOn(othersOf(await heldHalf(here)), "TA", used, PARTITIONS);
      ids.B = idOn(await held(here), "TB", used, PARTITIONS);
      await produce(n.events, [onIp(ids.A, "2026-03-01T00:00:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      expect(await alerted(url)).toEqual([[ids.A, ["linked-to-flagged"]]]);

      // the tuner switches off the rule that flagged A before its account is closed: A is unflagged, in every process
      // (its notice drops its keys), and B boarding on its IP is not alerted
      const version = shadow();
      await until("the changed rule set in force", () => here.rulesStatus.version === version);
      await until("A's keys dropped for the group", async () => (await drops(url, ids.A)).length === 1);
      // read here within a second
      await new Promise((r) => setTimeout(r, 3000));
      await produce(n.events, [onIp(ids.B, "2026-03-02T00:00:00Z")]);
      await waitCaughtUp(n, url);
      expect(await alerted(url)).toEqual([[ids.A, ["linked-to-flagged"]]]);

      // the bank closes A's account: A's process flags it again with a notice, which links B here
      await closeAccount(pool, ids.A, "BANK-TERM-TEST-2");
      await until("B alerted by this process", async () => (await alerted(url)).length === 2, 30_000);

      // a merchant boarding later here is alerted at its own profile event
      ids.C = idOn(await held(here), "TC", used, PARTITIONS);
      await produce(n.events, [onIp(ids.C, "2026-03-03T00:00:00Z")]);
      await waitCaughtUp(n, url);

      // the operator stops the other process and starts it again: whichever process now holds A, the other reads
      // the notices again from the start
      await stopped(child);
      child = there();
      await consuming(child);
      ids.D = idOn(othersOf(await heldHalf(here)), "TD", used, PARTITIONS);
      await produce(n.events, [onIp(ids.D, "2026-03-04T00:00:00Z")]);
      // a profile processed before the restarted process's first read of the notices is alerted by that read
      await until("D alerted", async () => (await alerted(url)).length === 4, 30_000);
      await waitCaughtUp(n, url);
    } finally {
      if (child.exitCode === null && child.signalCode === null) await stopped(child);
      await here.stop();
      await pool.end();
    }
    expect(await alerted(url)).toEqual(
      [
        [ids.A, ["linked-to-flagged"]],
        [ids.B, ["shared-infrastructure"]],
        [ids.C, ["shared-infrastructure"]],
        [ids.D, ["shared-infrastructure"]],
      ].sort(),
    );
    for (const m of [ids.B, ids.C, ids.D]) expect(await sharedExplanations(url, m), m).toEqual([`shares an IP address with merchant ${ids.A}, whose account the bank closed`]);
  });
});

/** The partitions the in-process runner holds once the group has shared them between the two processes. */
async function heldHalf(r: Runner): Promise<number[]> {
  await until("each process holds half the partitions", async () => (await held(r)).length === PARTITIONS / 2, 90_000);
  return held(r);
}

const othersOf = (on: number[]): number[] => [...Array(PARTITIONS).keys()].filter((p) => !on.includes(p));

/** SIGTERM, as an operator stops it: a clean stop, exit code 0. */
async function stopped(child: ChildProcess): Promise<void> {
  const exit = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = (await exit) as [number | null];
  expect(code).toBe(0);
}
