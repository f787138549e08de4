// The outbox publisher on a real broker and PostgreSQL: published rows leave the outbox in the background and on
// stop, a publisher started again publishes nothing twice, and rows handed over by the committer are published
// without reading them back unless they do not follow what was published.
import { createRequire } from "node:module";
import { describe, it, expect, vi } from "vitest";
import pino from "pino";
import { Kafka, logLevel } from "kafkajs";
import type { OutboxMessage } from "../../src/sinks/postgres/store.js";
import { OutboxPublisher } from "../../src/sinks/publisher.js";
import { createTopics, freshNames, freshStore, kafka, readTopic, until } from "./harness.js";

/** kafkajs's broker connection, whose requests a test can make fail (the instance kafkajs itself loads) */
const Broker = createRequire(import.meta.url)("kafkajs/src/broker/index.js") as { prototype: { endTxn(o: { transactionResult: boolean }): Promise<unknown> } };

const letter = (i: number): OutboxMessage => ({ dest: "dead-letter", key: null, value: Buffer.from(`bad ${i}`), headers: { "mt-reason": "not-json" } });

/** One source partition claimed in a fresh schema, a way to commit dead letters on it, and its publishers. */
async function setup(prefix: string) {
  const n = freshNames(prefix);
  await createTopics(n, 1);
  const { pool, store } = await freshStore(n, 3);
  const k = kafka();
  const admin = k.admin();
  await admin.connect();
  const claim = await store.claim(n.events, 0, "test");
  return {
    n,
    pool,
    store,
    kafka: k,
    commit: (next: string, letters: OutboxMessage[]) =>
      store.commitOutputs({ topic: n.events, partition: 0, epoch: claim.epoch, nextOffset: next, alerts: [], outbox: letters, acquirerOf: () => undefined }),
    publisher: (log = pino({ level: "silent" })) =>
      new OutboxPublisher(k, admin, store, { groupId: n.group, sourceTopic: n.events, partition: 0, alertsTopic: n.alerts, deadLetterTopic: n.dead }, log),
    close: async () => {
      await admin.disconnect();
      await pool.end();
    },
  };
}

describe("outbox publisher", () => {
  it("deletes published rows after publishing and on stop; a new publisher resumes after the mark", async () => {
    const { n, pool, commit, publisher, close } = await setup("pub");
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    try {
      await commit("3", [letter(1), letter(2), letter(3)]);
      const first = publisher();
      await first.start();
      // published, and the rows are gone in the background
      const deadline = Date.now() + 5000;
      while ((await outbox()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await outbox()).toBe(0);

      await commit("5", [letter(4), letter(5)]);
      await first.flush();
      await first.stop();
      // stop does not leave published rows behind
      expect(await outbox()).toBe(0);

      const second = publisher();
      await second.start();
      await second.stop();
      const read = await readTopic(n.dead, { count: 5 });
      expect(read.map((m) => m.value.toString())).toEqual(["bad 1", "bad 2", "bad 3", "bad 4", "bad 5"]);
    } finally {
      await close();
    }
  });

  it("sends the mark's requests beside the messages' in each transaction, and both land", async () => {
    const { n, kafka: k, commit, publisher: make, close } = await setup("pubpipe");
    // the publisher's own producer, watched: requests in the order they were sent (their correlation ids)
    const requests: { apiName: string; correlationId: number }[] = [];
    const producer = k.producer.bind(k);
    vi.spyOn(k, "producer").mockImplementation((cfg) => {
      const p = producer(cfg);
      p.on(p.events.REQUEST, (e) => requests.push(e.payload));
      return p;
    });
    const publisher = make();
    try {
      await publisher.start();
      // the first transaction also finds the outbox group's coordinator and the topics' metadata
      await publisher.flush(await commit("1", [letter(1)]));
      requests.length = 0;
      await publisher.flush(await commit("2", [letter(2)]));
      const sent = requests.sort((a, b) => a.correlationId - b.correlationId).map((r) => r.apiName);
      // one transaction; the mark (AddOffsetsToTxn) went out before the messages (Produce), not after them. The
      // coordinator may answer a first AddPartitionsToTxn or AddOffsetsToTxn with CONCURRENT_TRANSACTIONS while the
      // previous transaction completes, and the patched client then sends it again: those two may repeat
      expect([...new Set(sent)].sort()).toEqual(["AddOffsetsToTxn", "AddPartitionsToTxn", "EndTxn", "Produce", "TxnOffsetCommit"]);
      expect(sent.filter((r) => r === "Produce" || r === "EndTxn")).toEqual(["Produce", "EndTxn"]);
      expect(sent.indexOf("AddOffsetsToTxn")).toBeLessThan(sent.indexOf("Produce"));
      expect(sent.at(-1)).toBe("EndTxn");
      await publisher.stop();
      expect((await readTopic(n.dead, { count: 2 })).map((m) => m.value.toString())).toEqual(["bad 1", "bad 2"]);
      const admin = k.admin();
      await admin.connect();
      const [marks] = await admin.fetchOffsets({ groupId: `${n.group}.outbox`, topics: [n.events] }).finally(() => admin.disconnect());
      expect(marks!.partitions[0]!.offset).toBe("3");
    } finally {
      await close();
    }
  });

  it("publishes the rows a commit hands over without reading the outbox, and reads it when they leave a gap", async () => {
    const { n, pool, store, commit, publisher: make, close } = await setup("pubmem");
    const publisher = make();
    try {
      await publisher.start();
      const reads = vi.spyOn(store, "pendingOutbox");

      const first = await commit("2", [letter(1), letter(2)]);
      // the numbers handed over are those the rows took in the outbox
      const stored = await pool.query<{ seq: string; value: Buffer }>("SELECT seq, value FROM mt_outbox ORDER BY seq");
      expect(first.map((r) => [r.seq, r.value.toString()])).toEqual(stored.rows.map((r) => [r.seq, r.value.toString()]));
      await publisher.flush(first);
      expect(reads).not.toHaveBeenCalled();

      // a chunk whose rows never reach the publisher (as after a queue overflow): the next hand-over does not
      // follow the mark, so the outbox is read, and each row goes out once, in order
      await commit("3", [letter(3)]);
      const fourth = await commit("4", [letter(4)]);
      await publisher.flush(fourth);
      expect(reads).toHaveBeenCalledTimes(1);
      await publisher.flush();
      await publisher.stop();
      const read = await readTopic(n.dead, { count: 4 });
      expect(read.map((m) => m.value.toString())).toEqual(["bad 1", "bad 2", "bad 3", "bad 4"]);
    } finally {
      await close();
    }
  });

  it("need not be waited for: rows handed over while it starts go out after what an earlier owner left, once each, in order", async () => {
    const { n, commit, publisher: make, close } = await setup("pubbg");
    try {
      // an earlier owner's rows, not published
      await commit("2", [letter(1), letter(2)]);
      const publisher = make();
      const started = publisher.start();
      // the new owner's first chunk, committed and handed over before the producer has its transactional id
      const flushed = publisher.flush(await commit("4", [letter(3), letter(4)]));
      await Promise.all([started, flushed]);
      await publisher.stop();
      expect((await readTopic(n.dead, { count: 4 })).map((m) => m.value.toString())).toEqual(["bad 1", "bad 2", "bad 3", "bad 4"]);
    } finally {
      await close();
    }
  });

  it("does not reject when the broker does not answer at start: it retries in the background until stopped", async () => {
    const { n, store, close } = await setup("pubdown");
    const admin = kafka().admin();
    const unreachable = new Kafka({ clientId: "pubdown", brokers: ["127.0.0.1:1"], retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 }, connectionTimeout: 200, logLevel: logLevel.NOTHING });
    const warnings: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    try {
      const publisher = new OutboxPublisher(unreachable, admin, store, { groupId: n.group, sourceTopic: n.events, partition: 0, alertsTopic: n.alerts, deadLetterTopic: n.dead }, log);
      await expect(publisher.start()).resolves.toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/^outbox publish failed; retrying \(nothing is lost, the outbox keeps it; .*: check that the brokers answer/)]);
      await publisher.stop();
    } finally {
      await close();
    }
  });

  it("publishes again by itself after a transaction's commit failed, whether or not the commit reached the broker; each row once", async () => {
    const { n, pool, commit, publisher: make, close } = await setup("pubendtxn");
    const endTxn = Broker.prototype.endTxn;
    let commits = 0;
    // the first commit is lost on its way, the second lands but its answer is lost (as when the broker goes away)
    const spy = vi.spyOn(Broker.prototype, "endTxn").mockImplementation(async function (this: unknown, o) {
      if (o.transactionResult && ++commits <= 2) {
        if (commits === 2) await endTxn.call(this, o);
        throw Object.assign(new Error("Connection closed (injected)"), { name: "KafkaJSConnectionError", retriable: true });
      }
      return endTxn.call(this, o);
    });
    // the on-call engineer reads in the log that the failures ended, not only that they began
    const lines: { level: number; msg: string }[] = [];
    const publisher = make(pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) }));
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    try {
      await publisher.start();
      await publisher.flush(await commit("2", [letter(1), letter(2)]));
      expect(commits).toBe(1);
      await until("the rows published after the failed commits", async () => (await outbox()) === 0, 15_000);
      expect(commits).toBeGreaterThanOrEqual(2);
      expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringMatching(/^outbox publish failed/), expect.stringMatching(/^outbox publish failed/)]);
      expect(lines.filter((l) => l.level === 30).map((l) => l.msg)).toContainEqual(expect.stringMatching(/^outbox publish goes through again, after 2 failed since /));
      await publisher.flush(await commit("3", [letter(3)]));
      await publisher.stop();
      expect((await readTopic(n.dead, { idleMs: 2000 })).map((m) => m.value.toString())).toEqual(["bad 1", "bad 2", "bad 3"]);
    } finally {
      spy.mockRestore();
      await close();
    }
  });

  it("takes its partition's transactional id back after another producer took it (an earlier owner's publisher, starting late or renewed): the rows go out, each once", async () => {
    const { n, pool, commit, publisher: make, close } = await setup("pubfenced");
    const outbox = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_outbox")).rows[0]!.n);
    const owner = make();
    try {
      await owner.start();
      await owner.flush(await commit("2", [letter(1), letter(2)]));
      // the earlier owner's producer takes the transactional id after the owner's (a rebalance): the owner's producer is fenced
      const earlier = make();
      await earlier.start();
      await earlier.stop();
      // its next transaction is refused before it adds anything (INVALID_PRODUCER_EPOCH), so its abort sends nothing
      await owner.flush(await commit("4", [letter(3), letter(4)]));
      expect(owner.failure?.error).toMatch(/old epoch/);
      await until("the rows published after the fence", async () => (await outbox()) === 0, 15_000);
      expect(owner.failure).toBeUndefined();
      await owner.stop();
      expect((await readTopic(n.dead, { idleMs: 2000 })).map((m) => m.value.toString())).toEqual(["bad 1", "bad 2", "bad 3", "bad 4"]);
    } finally {
      await close();
    }
  });

  it("once stopped, does not take the transactional id back from the partition's new owner (a publish queued behind its failed one)", async () => {
    const { n, commit, publisher: make, close } = await setup("pubstopfenced");
    const earlier = make();
    const owner = make();
    try {
      await earlier.start();
      await earlier.flush(await commit("2", [letter(1), letter(2)]));
      // a rebalance: the new owner's producer fences the earlier one's, whose next publish fails
      await owner.start();
      await earlier.flush(await commit("4", [letter(3), letter(4)]));
      expect(earlier.failure).toBeDefined();
      // a chunk's publish queued as the partition is released
      const queued = earlier.flush();
      await earlier.stop();
      await queued;
      await owner.flush(await commit("6", [letter(5), letter(6)]));
      expect(owner.failure).toBeUndefined();
      await owner.stop();
      expect((await readTopic(n.dead, { idleMs: 2000 })).map((m) => m.value.toString())).toEqual([1, 2, 3, 4, 5, 6].map((i) => `bad ${i}`));
    } finally {
      await close();
    }
  });

  it("publishes no row past a gap in what was handed over: a chunk not handed over is read from the outbox, in order", async () => {
    const { n, commit, publisher: make, close } = await setup("pubgap");
    const endTxn = Broker.prototype.endTxn;
    let slow = true;
    // the first publish is slow (a broker retrying), so the next hand-overs queue behind it
    const spy = vi.spyOn(Broker.prototype, "endTxn").mockImplementation(async function (this: unknown, o) {
      if (o.transactionResult && slow) {
        slow = false;
        await new Promise((r) => setTimeout(r, 500));
      }
      return endTxn.call(this, o);
    });
    const publisher = make();
    try {
      await publisher.start();
      const first = publisher.flush(await commit("2", [letter(1), letter(2)]));
      await new Promise((r) => setTimeout(r, 50));
      const a = publisher.flush(await commit("4", [letter(3), letter(4)]));
      // committed, never handed over (its batch failed after the commit)
      await commit("6", [letter(5), letter(6)]);
      const c = publisher.flush(await commit("8", [letter(7), letter(8)]));
      await Promise.all([first, a, c]);
      expect(slow).toBe(false);
      await publisher.stop();
      expect((await readTopic(n.dead, { idleMs: 2000 })).map((m) => m.value.toString())).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `bad ${i}`));
    } finally {
      spy.mockRestore();
      await close();
    }
  });
});
