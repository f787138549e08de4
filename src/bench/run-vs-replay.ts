// Measurement, not a test: does `moneytrail run` (Kafka, partitions apart in event time, one or more processes, each
// killed with SIGKILL at random moments and started again) raise the alerts `replay` raises on the same stream?
// A generated population is replayed once, then produced to a topic of its own and consumed by PROCESSES child
// processes of the build (dist/cli.js when this runs from dist); KILLS times a random one is killed -9 and started
// again, each kill once the group has committed more than at the last, GAP_MS later at random. Once every partition
// is caught up and nothing more is raised, the alerts in mt_alerts are compared with replay's: ids missing and extra,
// and the events each signal cites for the ids in both; each merchant is shown with its partition, marked "unclaimed"
// when no process running at the end claimed that partition. It waits for every partition to be claimed by a running
// process (after the last kill, once the killed member's session times out and the group is rebalanced).
//
//   KAFKA_BROKERS=... DATABASE_URL=postgres://... node dist/bench/run-vs-replay.js
//   SEED=1 MERCHANTS=10000 EVENTS=100000 PARTITIONS=6 PROCESSES=2 KILLS=10 GAP_MS=500-3000 RATE=0 (0: all at once)
//
// The consumers take the rest of this process's environment: MT_EVENT_TIME_SLACK_MS=86400000 (a day) holds their
// partitions to a common event time while they catch up (src/app/run/event-time.ts; off when unset), to compare.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { Kafka, logLevel, CompressionTypes, Partitioners } from "kafkajs";
import { generatePopulation, populationIndicators } from "../fixtures/generate.js";
import { replay } from "../app/replay.js";
import { loadRuleSet } from "../rules/ruleset.js";
import { loadIndicators } from "../indicators/index.js";
import { DEFAULT_RULES } from "../lib/paths.js";
import type { Alert } from "../decode/events.js";
import { sleep, spawnConsumer, stopConsumer, type Consumer } from "./processes.js";
import { ensureTopics } from "../source/kafka.js";

const env = (k: string, d: string) => process.env[k] ?? d;
const SEED = Number(env("SEED", "1"));
const MERCHANTS = Number(env("MERCHANTS", "10000"));
const EVENTS = Number(env("EVENTS", "100000"));
const PARTITIONS = Number(env("PARTITIONS", "6"));
const PROCESSES = Number(env("PROCESSES", "2"));
const KILLS = Number(env("KILLS", "10"));
const [GAP_MIN, GAP_MAX] = env("GAP_MS", "500-3000").split("-").map(Number) as [number, number];
const RATE = Number(env("RATE", "0"));
const BROKERS = process.env.KAFKA_BROKERS;
const DATABASE_URL = process.env.DATABASE_URL;
if (!BROKERS || !DATABASE_URL) throw new Error("set KAFKA_BROKERS and DATABASE_URL (a PostgreSQL where a schema may be created)");

const say = (s: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${s}`);
/** What a reviewer's evidence of an alert is: each signal's rule and the events it cites. */
const cited = (a: Alert) => JSON.stringify(a.signals.map((s) => [s.rule, s.evidence.eventIds]));

async function main(): Promise<void> {
  const id = `rvr${randomBytes(3).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), `mt-${id}-`));
  const lines: { key: string; value: string }[] = [];
  for (const e of generatePopulation({ seed: SEED, merchants: MERCHANTS, events: EVENTS, typologyShare: 0.1, nearLineShare: 0.01 }))
    lines.push({ key: e.merchantId, value: JSON.stringify(e) });
  writeFileSync(join(dir, "events.ndjson"), lines.map((l) => l.value).join("\n") + "\n");
  const indicators = join(dir, "indicators");
  mkdirSync(indicators);
  writeFileSync(join(indicators, "population.json"), `${JSON.stringify(populationIndicators(SEED))}\n`);

  await replay({ events: join(dir, "events.ndjson"), out: join(dir, "alerts.ndjson"), rejects: join(dir, "rejects.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: loadIndicators(indicators) });
  const expected = new Map<string, Alert>();
  for (const l of readFileSync(join(dir, "alerts.ndjson"), "utf8").split("\n").filter(Boolean)) {
    const a = JSON.parse(l) as Alert;
    expected.set(a.alertId, a);
  }
  say(`seed ${SEED}: ${lines.length} events, replay ${expected.size} alerts; ${PARTITIONS} partitions, ${PROCESSES} processes, ${KILLS} kills, ${RATE ? `${RATE} events/s` : "all at once"} (${dir})`);

  const kafka = new Kafka({ clientId: id, brokers: BROKERS!.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = { events: `${id}.events`, alerts: `${id}.alerts`, dead: `${id}.dead-letter` };
  await ensureTopics(admin, Object.values(topics).map((topic) => ({ topic, partitions: PARTITIONS })));
  const admin0 = new pg.Client({ connectionString: DATABASE_URL });
  await admin0.connect();
  await admin0.query(`CREATE SCHEMA ${id}`);
  await admin0.end();
  const url = new URL(DATABASE_URL!);
  url.searchParams.set("options", `-c search_path=${id}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  const group = `${id}-group`;
  const consumerEnv = {
    KAFKA_BROKERS: BROKERS!,
    DATABASE_URL: url.toString(),
    MT_GROUP_ID: group,
    MT_EVENTS_TOPIC: topics.events,
    MT_ALERTS_TOPIC: topics.alerts,
    MT_DEAD_LETTER_TOPIC: topics.dead,
    MT_INDICATORS: indicators,
    // the warm-up (1-4 s of CPU at each start here) is for production's first events
    MT_WARM_UP_EVENTS: "0",
    LOG_LEVEL: "warn",
  };
  let spawned = 0;
  const spawnOne = () => spawnConsumer(`c${++spawned}`, consumerEnv, join(dir, `consumer-${spawned}.log`));
  const procs: Consumer[] = [];
  for (let i = 0; i < PROCESSES; i++) procs.push(await spawnOne());

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = Date.now();
  const producing = (async () => {
    const batch = RATE ? Math.max(1, Math.round(RATE / 10)) : 2000;
    for (let i = 0; i < lines.length; i += batch) {
      await producer.send({ topic: topics.events, messages: lines.slice(i, i + batch), acks: -1, compression: CompressionTypes.None });
      if (RATE) {
        const due = t0 + ((i + batch) / RATE) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    }
  })();

  const kills: string[] = [];
  let before = 0;
  for (let k = 0; k < KILLS; k++) {
    // each kill after the group committed more since the last (a process started again has claimed and worked), at a
    // random moment after that
    for (const t = Date.now(); (await positions(pool, group)) <= before && Date.now() - t < 60_000; ) await sleep(200);
    await sleep(GAP_MIN + Math.random() * (GAP_MAX - GAP_MIN));
    const i = Math.floor(Math.random() * procs.length);
    const victim = procs[i]!;
    const done = await positions(pool, group);
    before = done;
    victim.child.kill("SIGKILL");
    await victim.exited;
    kills.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${victim.name} (${done} committed)`);
    procs[i] = await spawnOne();
  }
  await producing;
  await producer.disconnect();
  say(`kills: ${kills.join("; ")}`);

  const ends = new Map((await admin.fetchTopicOffsets(topics.events)).map((p) => [p.partition, Number(p.high)]));
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  // partitions whose owner in PostgreSQL's fence is no process running now
  const unclaimedNow = async () => {
    const owners = (await pool.query<{ partition: number; owner: string | null }>("SELECT partition, owner FROM mt_partitions WHERE group_id = $1", [group])).rows;
    const live = new Set(procs.map((c) => c.pid));
    return new Set(owners.filter((r) => !live.has(Number((r.owner ?? "").split(":").at(-1)))).map((r) => r.partition));
  };
  // caught up, every partition claimed by a running process, then nothing new raised for 6 s (notices' triggers run
  // between batches, a second apart)
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    await sleep(1000);
    const done = await positions(pool, group);
    // 0 until a consumer has made the tables (without kills, this is asked a second after they were spawned)
    const n = Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM mt_alerts").catch(() => ({ rows: [{ n: "0" }] }))).rows[0]!.n);
    if (n !== last || done < total || (await unclaimedNow()).size) {
      last = n;
      stableSince = Date.now();
    }
    if (done >= total && Date.now() - stableSince > 6000) break;
    if (Date.now() - t0 > 20 * 60_000) throw new Error(`not caught up in 20 minutes: ${done} of ${total}`);
  }
  say(`caught up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // before the stop, whose releases write the positions again
  const unclaimed = await unclaimedNow();
  for (const c of procs) await stopConsumer(c);

  const { rows } = await pool.query<{ alert: Alert }>("SELECT alert FROM mt_alerts");
  const got = new Map(rows.map((r) => [r.alert.alertId, r.alert]));
  const missing = [...expected.values()].filter((a) => !got.has(a.alertId));
  const extra = [...got.values()].filter((a) => !expected.has(a.alertId));
  const evidence = [...expected.values()].filter((a) => got.has(a.alertId) && cited(got.get(a.alertId)!) !== cited(a));
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  const partitionOf = (key: string) => Partitioners.DefaultPartitioner()({ topic: topics.events, partitionMetadata, message: { key, value: null } });
  const where = (m: string) => `[${partitionOf(m)}${unclaimed.has(partitionOf(m)) ? " unclaimed" : ""}]`;
  const line = (a: Alert) => `${a.merchantId} ${where(a.merchantId)} ${a.raisedAt} ${a.typologies.join(",")} ${cited(a)}`;
  say(
    `RESULT seed ${SEED} partitions ${PARTITIONS} processes ${PROCESSES} kills ${KILLS} rate ${RATE || "all"}: replay ${expected.size}, run ${got.size}, missing ${missing.length} (${missing.filter((a) => unclaimed.has(partitionOf(a.merchantId))).length} on partitions unclaimed at the end: ${[...unclaimed].join(",") || "none"}), extra ${extra.length}, evidence differs ${evidence.length}`,
  );
  for (const a of missing) say(`  missing ${line(a)}`);
  for (const a of extra) say(`  extra   ${line(a)}`);
  for (const a of evidence) say(`  evidence ${a.merchantId} ${where(a.merchantId)} ${a.raisedAt}: replay ${cited(a)}, run ${cited(got.get(a.alertId)!)}`);
  await pool.end();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
}

/** Events whose outputs the group committed (the sum of mt_partitions' positions). */
async function positions(pool: pg.Pool, group: string): Promise<number> {
  const r = await pool.query<{ n: string | null }>("SELECT sum(next_offset) AS n FROM mt_partitions WHERE group_id = $1", [group]).catch(() => ({ rows: [{ n: null }] }));
  return Number(r.rows[0]?.n ?? 0);
}

await main();
