// A merchant flagged on an indicator alone, under a running `moneytrail run`: when a new version of its set revokes
// the entry (on the indicator topic), or event time passes the entry's validUntil (another merchant's event), it is
// unflagged at once, not at its own next event, which may never come; its notice dropping its keys is committed on its
// own partition, so a merchant boarding on its infrastructure later raises no shared-infrastructure alert, after a
// restart neither. And the window after a claim: a merchant unflagged a moment ago is not flagged again by its old
// notice, read again from the start, before the notice dropping its keys is written.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { publishSet } from "../../src/indicators/distribution.js";
import { FLAGS_PAGE, FLAGS_START, type PgStore } from "../../src/sinks/postgres/store.js";
import { indicatorSet, merchant, resetEvents } from "../helpers/events.js";
import { alerted, drops, onIp as onIpOf } from "./flags.js";
import { createTopics, freshNames, freshSchema, kafka, produce, startRunner, until, waitCaughtUp } from "./harness.js";

const IP = "192.0.2.93";
const LISTED_URL = "https://listed.example/gallery/11";
// on 2 partitions: A, C, D and E on 0, B and F on 1 (kafkajs's default partitioner)
const [A, B, C, D, E, F] = ["acq-test:M-IA", "acq-test:M-IB", "acq-test:M-IC", "acq-test:M-ID", "acq-test:M-IE", "acq-test:M-IF"];
const ipKey = { kind: "ip" as const, value: IP };
const onIp = onIpOf(IP);
const elsewhere = (merchantId: string, occurredAt: string) => JSON.stringify(merchant({ merchantId, occurredAt, infrastructure: { ips: ["192.0.2.94"], analyticsIds: [] } }));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const FLAGGED = [
  [A, ["linked-to-flagged"]],
  [B, ["shared-infrastructure"]],
];

/** A restarted process: an event of D has the partition claimed, then C boards on the IP; C is not alerted. */
async function restartedLinksNoOne(n: ReturnType<typeof freshNames>, url: string, over: Record<string, unknown>, at: [string, string]): Promise<void> {
  const second = await startRunner(n, url, over);
  try {
    await produce(n.events, [elsewhere(D, at[0])]);
    await waitCaughtUp(n, url);
    await until("every notice read again", () => (second as unknown as { notices: { flagsRead: unknown } }).notices.flagsRead !== FLAGS_START);
    expect(second.engine.merchants.get(A)?.flagged).toBe(false);
    await produce(n.events, [onIp(E, at[1])]);
    await waitCaughtUp(n, url);
  } finally {
    await second.stop();
  }
  expect(await alerted(url)).toEqual(FLAGGED);
}

describe("a merchant flagged on an indicator alone, under moneytrail run", () => {
  it("is unflagged when a new version of its set on the topic revokes the entry: its notice committed without an event, later peers not linked, after a restart neither", { timeout: 180_000 }, async () => {
    resetEvents();
    const n = freshNames("ind-unflag");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const topic = `ind-${n.id}`;
    const set = indicatorSet([{ id: "url-1", kind: "url", value: LISTED_URL, confidence: 95 }], { id: "ind-unflag", source: "member:hotline-test" });
    const over = { indicators: undefined, indicatorTopic: topic };
    const first = await startRunner(n, url, over);
    try {
      await publishSet(kafka(), topic, set);
      await until("the set in force", () => first.indicatorSets.some((s) => s.id === set.id));
      await produce(n.events, [onIp(B, "2026-03-01T00:00:00Z"), onIp(A, "2026-03-01T00:01:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      // B, on another partition than A's, is alerted when A's flag notice is read (within a second), not by its events
      await until("B alerted through A's flag notice", async () => (await alerted(url)).length === FLAGGED.length);
      expect(await alerted(url)).toEqual(FLAGGED);
      expect(first.engine.merchants.get(A)?.flagged).toBe(true);

      await publishSet(kafka(), topic, { ...set, version: 2, entries: [{ ...set.entries[0]!, revoked: true }] });
      await until("A unflagged by the revocation", () => first.engine.merchants.get(A)?.flagged === false);
      expect(first.engine.merchants.get(A)?.signals["flagged-site-link"]).toBeUndefined();
      // no event of A's partition since: written with its position
      await until("A's keys dropped for the other processes", async () => (await drops(url, A)).length === 1, 10_000);
      expect(first.engine.infra.flaggedPeers(C, [ipKey])).toEqual([]);

      await produce(n.events, [onIp(C, "2026-03-02T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await first.stop();
    }
    expect(await alerted(url)).toEqual(FLAGGED);
    await restartedLinksNoOne(n, url, over, ["2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z"]);
  });

  it("is unflagged once another merchant's event passes the entry's validUntil: its notice committed, later peers not linked, after a restart neither", { timeout: 180_000 }, async () => {
    resetEvents();
    const n = freshNames("ind-expire");
    // F's event passes the expiry, on another partition than A's: A's notice goes on A's partition (fenced by its
    // owner's epoch, written with its position), not with F's events (which, processed again after a restart, make
    // no notices again)
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const dir = mkdtempSync(join(tmpdir(), "mt-ind-expire-"));
    dirs.push(dir);
    const indicators = join(dir, "set.json");
    writeFileSync(indicators, JSON.stringify(indicatorSet([{ id: "url-1", kind: "url", value: LISTED_URL, confidence: 95, validUntil: "2026-03-10T00:00:00Z" }], { id: "expiring", source: "member:hotline-test" })));
    const first = await startRunner(n, url, { indicators });
    try {
      await produce(n.events, [onIp(B, "2026-03-01T00:00:00Z"), onIp(A, "2026-03-01T00:01:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      // B, on another partition than A's, is alerted when A's flag notice is read (within a second), not by its events
      await until("B alerted through A's flag notice", async () => (await alerted(url)).length === FLAGGED.length);
      expect(await alerted(url)).toEqual(FLAGGED);
      await produce(n.events, [elsewhere(F, "2026-03-10T00:00:01Z")]);
      await waitCaughtUp(n, url);
      expect(first.engine.merchants.get(A)?.flagged).toBe(false);
      await until("A's keys dropped for the other processes", async () => (await drops(url, A)).length === 1, 10_000);
      expect(await drops(url, A)).toEqual([{ partition: 0, notice: expect.objectContaining({ keys: [], dropped: [ipKey] }) }]);
      await produce(n.events, [onIp(C, "2026-03-11T00:00:00Z")]);
      await waitCaughtUp(n, url);
    } finally {
      await first.stop();
    }
    expect(await alerted(url)).toEqual(FLAGGED);
    await restartedLinksNoOne(n, url, { indicators }, ["2026-03-12T00:00:00Z", "2026-03-13T00:00:00Z"]);
  });
});

describe("the notices read again from the start (a claim, a rebalance)", () => {
  it("do not flag again the keys of a merchant unflagged a moment ago, whose notice dropping them is not written yet", { timeout: 180_000 }, async () => {
    resetEvents();
    const n = freshNames("ind-window");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const topic = `ind-${n.id}`;
    const set = indicatorSet([{ id: "url-1", kind: "url", value: LISTED_URL, confidence: 95 }], { id: "ind-window", source: "member:hotline-test" });
    const runner = await startRunner(n, url, { indicators: undefined, indicatorTopic: topic });
    const internals = runner as unknown as { store: PgStore; notices: { flagsRead: unknown; pollFlags(): Promise<void> } };
    let hold = false;
    try {
      await publishSet(kafka(), topic, set);
      await until("the set in force", () => runner.indicatorSets.some((s) => s.id === set.id));
      await produce(n.events, [onIp(B, "2026-03-01T00:00:00Z"), onIp(A, "2026-03-01T00:01:00Z", [LISTED_URL])]);
      await waitCaughtUp(n, url);
      // B, on another partition than A's, is alerted when A's flag notice is read (within a second), not by its events
      await until("B alerted through A's flag notice", async () => (await alerted(url)).length === FLAGGED.length);
      expect(await alerted(url)).toEqual(FLAGGED);
      // the next writes of the partition fail for a while (PostgreSQL slow or away a moment): A's notice waits
      const commit = internals.store.commitOutputs.bind(internals.store);
      hold = true;
      internals.store.commitOutputs = (b: Parameters<PgStore["commitOutputs"]>[0]) => (hold ? Promise.reject(new Error("held by the test")) : commit(b));
      await publishSet(kafka(), topic, { ...set, version: 2, entries: [{ ...set.entries[0]!, revoked: true }] });
      await until("A unflagged by the revocation", () => runner.engine.merchants.get(A)?.flagged === false);
      expect(await drops(url, A)).toEqual([]);
      // a claim or a rebalance now: every notice read again, A's flag notice among them, the one dropping its keys unwritten
      internals.notices.flagsRead = FLAGS_START;
      void internals.notices.pollFlags();
      await until("every notice read again", () => internals.notices.flagsRead !== FLAGS_START);
      expect(runner.engine.infra.flaggedPeers(C, [ipKey])).toEqual([]);
      hold = false;
      await until("A's keys dropped for the other processes", async () => (await drops(url, A)).length === 1, 10_000);
    } finally {
      hold = false;
      await runner.stop();
    }
  });

  it("of a merchant held by another process, flagged then unflagged pages apart, never flag its keys in between", { timeout: 120_000 }, async () => {
    resetEvents();
    const n = freshNames("ind-pages");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const runner = await startRunner(n, url, { indicators: undefined });
    const internals = runner as unknown as { store: PgStore; notices: { flagsRead: { xid: string; seq: string } } };
    try {
      await produce(n.events, [elsewhere(D, "2026-03-01T00:00:00Z")]);
      await waitCaughtUp(n, url);
      // what a merchant joining on the IP would find, each time a page of notices is read
      const since = internals.store.flagsSince.bind(internals.store);
      const linked: number[] = [];
      internals.store.flagsSince = async (...args) => {
        linked.push(runner.engine.infra.flaggedPeers(C, [ipKey]).length);
        return since(...args);
      };
      // another process's merchant Z, on a partition this one does not hold: flagged, a page of other notices, unflagged
      const Z = "acq-test:M-IZ";
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const notice = (o: object) => JSON.stringify({ merchantId: Z, eventId: "e-z", occurredAt: "2026-03-01T00:00:00Z", ...o });
        const c = await pool.connect();
        try {
          await c.query("BEGIN");
          await c.query("INSERT INTO mt_flags (group_id, partition, notice) VALUES ($1, 1, $2)", [n.group, notice({ keys: [ipKey] })]);
          await c.query(
            `INSERT INTO mt_flags (group_id, partition, notice)
             SELECT $1, 1, json_build_object('merchantId', 'acq-test:M-other-' || i, 'eventId', 'e-o', 'occurredAt', '2026-03-01T00:00:00Z', 'keys', json_build_array())
             FROM generate_series(1, $2::int) AS i`,
            [n.group, FLAGS_PAGE],
          );
          await c.query("INSERT INTO mt_flags (group_id, partition, notice) VALUES ($1, 1, $2)", [n.group, notice({ keys: [], dropped: [ipKey] })]);
          await c.query("COMMIT");
        } finally {
          c.release();
        }
        const { rows } = await pool.query<{ seq: string }>("SELECT max(seq)::text AS seq FROM mt_flags WHERE group_id = $1", [n.group]);
        await until("every notice read", () => internals.notices.flagsRead.seq === rows[0]!.seq);
      } finally {
        await pool.end();
      }
      expect(linked.length).toBeGreaterThan(1);
      expect(linked.filter((x) => x > 0)).toEqual([]);
      expect(runner.engine.infra.flaggedPeers(C, [ipKey])).toEqual([]);
    } finally {
      await runner.stop();
    }
  });
});
