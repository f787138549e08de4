// The test infrastructure itself: a real broker and a real PostgreSQL answer, keyed messages go round trip
// through a consumer group, and the broker restart helper keeps data and address.
import { randomBytes } from "node:crypto";
import { describe, it, expect, inject } from "vitest";
import { Kafka, logLevel, type Admin } from "kafkajs";
import pg from "pg";
import { restartBroker } from "../infra/control.js";
// as run makes its topics: kafkajs's createTopics({ waitForLeaders }) returns before the KRaft broker serves them
import { ensureTopics } from "../../src/source/kafka.js";

const brokers = (): string[] => inject("kafkaBrokers").split(",");
const kafka = (): Kafka =>
  new Kafka({ brokers: brokers(), clientId: "mt-infra-test", logLevel: logLevel.ERROR, retry: { retries: 10, initialRetryTime: 200 } });
const fresh = (p: string): string => `${p}-${randomBytes(4).toString("hex")}`;

async function withAdmin<T>(f: (a: Admin) => Promise<T>): Promise<T> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return await f(admin);
  } finally {
    await admin.disconnect();
  }
}

async function produce(topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false, idempotent: true });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** Reads the topic from the start in a fresh consumer group until `count` messages arrived. */
async function consume(topic: string, count: number, timeoutMs = 60_000): Promise<{ key: string; value: string; partition: number }[]> {
  const consumer = kafka().consumer({ groupId: fresh("g-infra"), sessionTimeout: 10_000 });
  const got: { key: string; value: string; partition: number }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        got.push({ key: message.key?.toString() ?? "", value: message.value?.toString() ?? "", partition });
        if (got.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`only ${got.length} of ${count} messages arrived in ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe("integration infrastructure", () => {
  it("hands the addresses to tests and to child processes", () => {
    expect(inject("kafkaBrokers")).toMatch(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/);
    expect(process.env.KAFKA_BROKERS).toBe(inject("kafkaBrokers"));
    expect(process.env.DATABASE_URL).toBe(inject("databaseUrl"));
    if (inject("kafkaVia") === "local") expect(inject("kafkaBrokers")).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("Kafka: 100 keyed messages on 3 partitions round trip through a consumer group", async () => {
    const topic = fresh("infra");
    await withAdmin(async (a) => {
      expect(await a.listTopics()).not.toContain(topic);
      await ensureTopics(a, [{ topic, partitions: 3 }]);
      const md = await a.fetchTopicMetadata({ topics: [topic] });
      expect(md.topics[0]!.partitions).toHaveLength(3);
    });
    const sent = Array.from({ length: 100 }, (_, i) => ({ key: `merchant-${i % 17}`, value: `event-${i}` }));
    await produce(topic, sent);
    const got = await consume(topic, sent.length);
    expect(got).toHaveLength(100);
    expect(got.map((m) => `${m.key}/${m.value}`).sort()).toEqual(sent.map((m) => `${m.key}/${m.value}`).sort());
    // same key, same partition; and the 17 keys spread over more than one partition
    const partitionOf = new Map<string, number>();
    for (const m of got) {
      expect(partitionOf.get(m.key) ?? m.partition).toBe(m.partition);
      partitionOf.set(m.key, m.partition);
    }
    expect(new Set(partitionOf.values()).size).toBeGreaterThan(1);
    await withAdmin((a) => a.deleteTopics({ topics: [topic] }));
  });

  it("PostgreSQL: create a table, insert, select", async () => {
    const c = new pg.Client({ connectionString: inject("databaseUrl") });
    await c.connect();
    try {
      const table = fresh("infra").replace("-", "_");
      await c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, merchant text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
      await c.query(`INSERT INTO ${table} (id, merchant) SELECT i, 'merchant-' || i FROM generate_series(1, 10) AS i`);
      const r = await c.query<{ n: string; last: string }>(`SELECT count(*) AS n, max(merchant) AS last FROM ${table}`);
      expect(r.rows[0]).toEqual({ n: "10", last: "merchant-9" });
      if (inject("postgresVia") !== "env") {
        const db = await c.query<{ db: string }>("SELECT current_database() AS db");
        expect(db.rows[0]!.db).toMatch(/^mt_test_/); // this run's own database
      }
      await c.query(`DROP TABLE ${table}`);
    } finally {
      await c.end();
    }
  });

  it.skipIf(!inject("kafkaRestartable"))("the broker restart helper keeps data and address: produce, restart, produce, consume all", async () => {
    const topic = fresh("restart");
    await withAdmin((a) => ensureTopics(a, [{ topic, partitions: 3 }]));
    const before = Array.from({ length: 50 }, (_, i) => ({ key: `k-${i % 7}`, value: `before-${i}` }));
    const after = Array.from({ length: 50 }, (_, i) => ({ key: `k-${i % 7}`, value: `after-${i}` }));
    await produce(topic, before);
    const clean = await restartBroker();
    expect(clean.ms).toBeGreaterThan(0);
    await produce(topic, after);
    const crash = await restartBroker({ signal: "SIGKILL" });
    expect(crash.ms).toBeGreaterThan(0);
    const got = await consume(topic, 100);
    expect(got.map((m) => m.value).sort()).toEqual([...before, ...after].map((m) => m.value).sort());
    await withAdmin((a) => a.deleteTopics({ topics: [topic] }));
    // two restarts: under a CI run's load (20-35) they took over the project's 120 s together
  }, 300_000);
});
