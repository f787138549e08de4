// A merchant flagged and no longer flagged within one read of the flag notices (a backlog caught up in one chunk, its
// indicator expiring in event time before the chunk ends) links the merchants on other partitions that shared its
// keys while it was flagged, as replay does; not those that took the keys only after it was unflagged.
import { describe, expect, it } from "vitest";
import type { Runner } from "../../src/app/run.js";
import type { PgStore } from "../../src/sinks/postgres/store.js";
import type { FlagNotice } from "../../src/state/infra.js";
import { tx } from "../helpers/events.js";
import { alerted, held, idOn as idOnOf, listedUrlStack, noticesRead, onIp as onIpOf, replayed } from "./flags.js";
import { casesAndAlerts, onClient, ids, produce, startRunner, until, waitCaughtUp, type Names } from "./harness.js";

const PARTITIONS = 2;
const IP = "192.0.2.61";
const LISTED_URL = "https://listed-once.example/gallery/3";
const onIp = onIpOf(IP);

/** A test's topics and schema, an indicator set whose one entry expires on 5 March, and the events as produced. */
async function setUp(prefix: string): Promise<{ n: Names; url: string; indicators: string; send: (l: string[]) => Promise<void>; sameAsReplay: () => Promise<void> }> {
  const { n, url, indicators } = await listedUrlStack(prefix, PARTITIONS, LISTED_URL, "2026-03-05T00:00:00Z");
  const lines: string[] = [];
  const send = async (l: string[]): Promise<void> => {
    lines.push(...l);
    await produce(n.events, l);
  };
  // the very alerts replay gives on the events in the order produced
  const sameAsReplay = async (): Promise<void> => expect(ids((await casesAndAlerts(url)).alerts)).toEqual(ids(await replayed(lines, indicators)));
  return { n, url, indicators, send, sameAsReplay };
}

// in one send: flagged by the listed URL, then unflagged by its own event after the entry expired
const flaggedAndUnflagged = (merchantId: string): string[] => [
  onIp(merchantId, "2026-03-01T01:00:00Z", [LISTED_URL]),
  JSON.stringify(tx({ merchantId, occurredAt: "2026-03-06T00:00:00Z" })),
];

describe("flagged and unflagged within one read of the notices", () => {
  it("links the peer on another partition that held the key while the merchant was flagged, not one that took it after", { timeout: 120_000 }, async () => {
    const { n, url, indicators, send, sameAsReplay } = await setUp("unflag-read");
    const used = new Set<string>();
    const idOn = (p: number, prefix: string): string => idOnOf([p], prefix, used, PARTITIONS);
    const [flagged, before, after] = [idOn(0, "F"), idOn(1, "B"), idOn(1, "A")];

    const runner = await startRunner(n, url, { indicators });
    try {
      // the peer boards first and is committed on its partition
      await send([onIp(before, "2026-03-01T00:00:00Z")]);
      await waitCaughtUp(n, url);
      await send(flaggedAndUnflagged(flagged));
      await waitCaughtUp(n, url);
      expect(runner.engine.merchants.get(flagged)?.flagged).toBe(false);
    } finally {
      await runner.stop();
    }
    // restarted, every notice is read again from the start: a merchant that took the key after the flag lapsed is
    // not linked by them
    const again = await startRunner(n, url, { indicators });
    try {
      await send([onIp(after, "2026-03-07T00:00:00Z")]);
      await waitCaughtUp(n, url);
      await noticesRead(again)();
    } finally {
      await again.stop();
    }
    expect(await alerted(url)).toEqual(
      [
        [flagged, ["linked-to-flagged"]],
        [before, ["shared-infrastructure"]],
      ].sort(),
    );
    await sameAsReplay();
  });

  it("links the peer when the read finds the merchant unflagged by a later chunk whose notice is not read yet", { timeout: 120_000 }, async () => {
    const { n, url, indicators, send, sameAsReplay } = await setUp("unflag-read-later");
    const used = new Set<string>();
    const [flagged, before] = [idOnOf([0], "F", used, PARTITIONS), idOnOf([1], "B", used, PARTITIONS)];
    const runner = await startRunner(n, url, { indicators });
    try {
      await send([onIp(before, "2026-03-01T00:00:00Z")]);
      await waitCaughtUp(n, url);
      // the read that finds the flag notice comes back only once the next chunk has unflagged the merchant
      const store = (runner as unknown as { store: PgStore }).store;
      const since = store.flagsSince.bind(store);
      store.flagsSince = async (...args) => {
        const rows = await since(...args);
        const flag = rows.some((r) => (r.notice as FlagNotice).merchantId === flagged && (r.notice as FlagNotice).keys.length);
        if (flag) await until("the merchant unflagged", () => runner.engine.merchants.get(flagged)?.flagged === false);
        return rows;
      };
      const [flag, unflag] = flaggedAndUnflagged(flagged);
      await send([flag!]);
      await until("the flag notice committed", async () => (await onClient(url, (c) => c.query("SELECT 1 FROM mt_flags"))).rowCount! > 0);
      await send([unflag!]);
      await waitCaughtUp(n, url);
      await noticesRead(runner)();
    } finally {
      await runner.stop();
    }
    expect(await alerted(url)).toEqual(
      [
        [flagged, ["linked-to-flagged"]],
        [before, ["shared-infrastructure"]],
      ].sort(),
    );
    await sameAsReplay();
  });

  it("links the peer another process holds, from both notices read together", { timeout: 180_000 }, async () => {
    const { n, url, indicators, send, sameAsReplay } = await setUp("unflag-read-xp");
    const a = await startRunner(n, url, { indicators });
    let b: Runner | undefined;
    try {
      b = await startRunner(n, url, { indicators });
      await until("each process holds a partition", async () => (await held(a)).length === 1 && (await held(b!)).length === 1, 90_000);
      const used = new Set<string>();
      const flagged = idOnOf(await held(a), "F", used, PARTITIONS);
      const before = idOnOf(await held(b), "B", used, PARTITIONS);
      await send([onIp(before, "2026-03-01T00:00:00Z")]);
      await waitCaughtUp(n, url);
      await send(flaggedAndUnflagged(flagged));
      await waitCaughtUp(n, url);
      await noticesRead(b)();
      expect(await alerted(url)).toEqual(
        [
          [flagged, ["linked-to-flagged"]],
          [before, ["shared-infrastructure"]],
        ].sort(),
      );
    } finally {
      await b?.stop();
      await a.stop();
    }
    await sameAsReplay();
  });
});
