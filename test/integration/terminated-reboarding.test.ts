// The re-boarding case: the bank closed the account of a merchant flagged for selling abuse material (the reviewer
// recorded close-account), then a rule tuner switched off the rule that flagged it. The merchant stays flagged for
// shared infrastructure while its case is so closed, so the same people boarding a new merchant on its IP are still
// linked to it, named as the terminated merchant: in the running process and after a restart.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { alerted, closeAccount, listingStack, onIp as onIpOf, sharedExplanations } from "./flags.js";
import { produce, startRunner, until, waitCaughtUp } from "./harness.js";

const IP = "192.0.2.93";
const LISTED_URL = "https://listed.example/gallery/7";
const [A, C, D] = ["acq-test:M-TA", "acq-test:M-TC", "acq-test:M-TD"];
const onIp = onIpOf(IP);

describe("a merchant whose account the bank closed", () => {
  it("keeps linking merchants boarding on its IP after the rule that flagged it is switched off, after a restart too", { timeout: 180_000 }, async () => {
    const { n, url, rules, indicators, shadow } = await listingStack("terminated", 1, "terminated", LISTED_URL);

    const first = await startRunner(n, url, { rules, indicators });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await produce(n.events, [onIp(A, "2026-03-01T00:00:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      expect(await alerted(url)).toEqual([[A, ["linked-to-flagged"]]]);

      await closeAccount(pool, A, "BANK-TERM-TEST-1");
      await until("A's closed account read by the running process", () => first.engine.infra.terminated.has(A), 15_000);

      // the tuner's change: the rule that flagged A evaluated in shadow, adding to no score
      const version = shadow();
      await until("the changed rule set in force", () => first.rulesStatus.version === version);
      expect(first.engine.merchants.get(A)?.flagged).toBe(true);

      // the same people board a new merchant on A's IP
      await produce(n.events, [onIp(C, "2026-03-02T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await first.stop();
    }
    expect(await alerted(url)).toEqual([
      [A, ["linked-to-flagged"]],
      [C, ["shared-infrastructure"]],
    ]);
    expect(await sharedExplanations(url, C)).toEqual([`shares an IP address with merchant ${A}, whose account the bank closed`]);

    const second = await startRunner(n, url, { rules, indicators });
    try {
      await produce(n.events, [onIp(D, "2026-03-03T00:00:00Z")]);
      await waitCaughtUp(n, url);
      expect(second.engine.merchants.get(A)?.flagged).toBe(true);
    } finally {
      await second.stop();
      await pool.end();
    }
    expect((await alerted(url)).map(([m]) => m)).toEqual([A, C, D]);
    expect(await sharedExplanations(url, D)).toEqual([`shares an IP address with merchant ${A}, whose account the bank closed`]);
  });
});
