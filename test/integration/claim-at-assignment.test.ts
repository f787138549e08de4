// A partition at its end when its owner goes (killed -9, or stopped) gets no batch at its next owner until a new event
// comes. Claimed only at its first batch, its merchants were not held there: a flag committed on another partition
// meanwhile linked none of them, and the peer's alert, which replay raises at the flag, waited for the partition's next
// event (at the end of a stream: never). The next owner claims it at assignment, as PostgreSQL has positions for it.
import { once } from "node:events";
import { expect, it } from "vitest";
import { idOn, listedUrlStack, onIp as onIpOf, peerAlertedAfterRestart, replayed, salesOf } from "./flags.js";
import { casesAndAlerts, consuming, ids, kafka, onClient, produce, spawnRunner, until, waitCaughtUp, type Names } from "./harness.js";

const PARTITIONS = 2;
const IP = "192.0.2.77";
const LISTED_URL = "https://listed-claim.example/gallery/6";

/** The group's offset committed to Kafka for each partition: where its next owner fetches from. */
async function committed(n: Names): Promise<Map<number, string>> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: n.group, topics: [n.events] });
    return new Map(t!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

// how the owner goes, and whether the peer's partition has a checkpoint at its end (without one, the next owner rebuilds
// its state from the events before the outputs' position, which Kafka, at the end, would not fetch)
const cases = [
  { how: "killed -9", signal: "SIGKILL", checkpointed: true },
  { how: "killed -9 before a checkpoint", signal: "SIGKILL", checkpointed: false },
  { how: "stopped", signal: "SIGTERM", checkpointed: true },
] as const;

it.each(cases)("a partition at its end whose owner was $how is claimed at assignment: a flag on another partition links its merchant with no new event of it", { timeout: 240_000 }, async ({ how, signal, checkpointed }) => {
  const { n, url, indicators } = await listedUrlStack(`claim-${cases.findIndex((c) => c.how === how)}`, PARTITIONS, LISTED_URL);
  const used = new Set<string>();
  const [flagged, peer, other] = [idOn([0], "F", used, PARTITIONS), idOn([1], "P", used, PARTITIONS), idOn([0], "O", used, PARTITIONS)];
  // in event time: the peer boards on 1 March; the merchant it shares an address with is flagged on 22 March
  const boards = onIpOf(IP)(peer, "2026-03-01T00:00:00Z");
  const flag = onIpOf(IP)(flagged, "2026-03-22T00:00:00Z", [LISTED_URL]);
  // sales on the other partition, a few at a time: each batch commits the group's Kafka offsets (every 5 s), so the
  // peer's partition is fetched from its end at the next owner, as in production
  const sales = salesOf(other, 300, "2026-03-02T00:00:00Z", 60_000);
  const env = { MT_CHECKPOINT_MS: checkpointed ? "500" : "600000", MT_INDICATORS: indicators, LOG_LEVEL: "info" };
  const first = spawnRunner(n, url, env);
  let sent = 2;
  try {
    await consuming(first);
    await produce(n.events, [boards, ...sales.slice(0, 2)]);
    await waitCaughtUp(n, url, 120_000);
    await until(
      "the peer's partition's positions and Kafka offset at its end",
      async () => {
        if (sent < sales.length) await produce(n.events, [sales[sent++]!]);
        const stored = await onClient(url, (c) => c.query<{ state_offset: string | null; next_offset: string | null }>("SELECT state_offset, next_offset FROM mt_partitions WHERE group_id = $1 AND partition = 1", [n.group]));
        const row = stored.rows[0];
        return row?.next_offset === "1" && row.state_offset === (checkpointed ? "1" : null) && (await committed(n)).get(1) === "1";
      },
      60_000,
    );
    await waitCaughtUp(n, url, 60_000);
  } finally {
    first.kill(signal);
    await once(first, "exit");
  }
  expect((await casesAndAlerts(url)).alerts).toEqual([]);
  // the flag comes while it is down; nothing more on the peer's partition
  await produce(n.events, [flag]);
  // before: the peer's alert never came (its partition unclaimed until its next event)
  await peerAlertedAfterRestart(n, url, { indicators, sessionTimeoutMs: 6000 }, peer, 120_000, 45_000);
  const expected = await replayed([boards, ...sales.slice(0, sent), flag], indicators);
  // replay links the peer at the flag
  expect(expected.map((a) => a.merchantId)).toContain(peer);
  expect(ids((await casesAndAlerts(url)).alerts)).toEqual(ids(expected));
});
