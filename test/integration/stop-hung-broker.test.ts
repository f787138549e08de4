// SIGTERM while the broker is hung (its process stopped: connections open, nothing answered). Each Kafka step of a
// stop then waits out kafkajs's timeouts and retries: the indicator subscriber's disconnect (a minute), the offsets'
// commit (two and a half), the admin's disconnect... and the positions and checkpoint, saved after the first of them,
// were not saved within Kubernetes' 30 s grace period or systemd's 90 s: the process was killed first and the next
// owner redid the work since an older checkpoint. Now PostgreSQL is saved first and each Kafka step has a bound.
// The order is what is checked: saved and exited while the broker is still stopped (the ceiling only ends the test
// instead of hanging it).
import { once } from "node:events";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { brokers, consuming, createTopics, freshNames, freshSchema, kafka, produce, sampleLines, spawnRunner, until, waitCaughtUp } from "./harness.js";

/** The pid of the process of this machine listening on `port` (from /proc), if this user may see it. */
function listenerPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local address is HEXIP:HEXPORT; state 0A is LISTEN
      if (f.length > 9 && f[3] === "0A" && parseInt(f[1]!.split(":")[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

const [host, port] = brokers()[0]!.split(":");
const brokerPid = ["127.0.0.1", "localhost"].includes(host!) ? listenerPid(Number(port)) : undefined;

describe.skipIf(brokerPid === undefined)("a stop while the broker does not answer", () => {
  it("saves the positions and checkpoint in PostgreSQL and exits, all before the broker answers again", { timeout: 300_000 }, async () => {
    const n = freshNames("stophung");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const lines = sampleLines();
    // no checkpoint while running: the one the stop writes is the only one that reaches the end
    const child = spawnRunner(n, url, { LOG_LEVEL: "info", MT_CHECKPOINT_MS: "600000" });
    const exited = once(child, "exit") as Promise<[number | null]>;
    const out: string[] = [];
    child.stdout!.on("data", (d: Buffer) => out.push(...d.toString().split("\n").filter(Boolean)));
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const partitions = async () =>
      (await pool.query<{ partition: number; next_offset: string; state_offset: string | null }>("SELECT partition, next_offset, state_offset FROM mt_partitions WHERE group_id = $1 ORDER BY partition", [n.group])).rows;
    let stopped = false;
    try {
      await consuming(child);
      await produce(n.events, lines);
      await waitCaughtUp(n, url);
      const admin = kafka().admin();
      await admin.connect();
      const ends = (await admin.fetchTopicOffsets(n.events)).sort((a, b) => a.partition - b.partition).map((o) => o.high);
      await admin.disconnect();
      // the checkpoint is behind: only the stop's can bring it to the end
      expect((await partitions()).some((r) => r.state_offset !== ends[r.partition])).toBe(true);

      process.kill(brokerPid!, "SIGSTOP");
      stopped = true;
      child.kill("SIGTERM");
      // a ceiling so a stop that waits for the broker fails the test instead of hanging it (the old stop took minutes)
      const [code] = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the consumer did not exit while the broker was hung")), 120_000))]);

      // still hung here: everything below happened without the broker
      expect(code).toBe(0);
      const saved = await partitions();
      expect(saved.map((r) => r.partition)).toEqual([0, 1]);
      for (const r of saved) expect({ partition: r.partition, next: r.next_offset, state: r.state_offset }).toEqual({ partition: r.partition, next: ends[r.partition], state: ends[r.partition] });
      // the last line says the positions and checkpoint were saved, and what was not done
      const last = JSON.parse(out.at(-1)!) as { msg: string; skipped?: string[] };
      expect(last.msg).toMatch(/^stopped: positions and checkpoint saved in PostgreSQL; the broker did not answer within \d+ s, so not done: /);
      expect(last.skipped).toContain("Kafka offsets committed");
      // the clean stop's line is not written when it is not true
      expect(out.some((l) => l.includes("offsets saved, the group left"))).toBe(false);
    } finally {
      if (stopped) process.kill(brokerPid!, "SIGCONT");
      child.kill("SIGKILL");
      await pool.end();
    }
  });

  // A claim (the first batch of a partition) asks the broker for the partition's offsets; the stop waits for the
  // batch in hand, and so it waited for kafkajs's timeouts and retries, minutes, when the broker hung mid-claim.
  it("does not wait for a claim's request to the broker", { timeout: 300_000 }, async () => {
    const n = freshNames("stopclaim");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    // positions saved, so the next claim reads the partition's offsets from the broker
    const first = spawnRunner(n, url);
    await produce(n.events, lines.slice(0, half));
    await waitCaughtUp(n, url);
    first.kill("SIGTERM");
    await once(first, "exit");
    await produce(n.events, lines.slice(half));

    // the partition's row locked: the next claim waits in PostgreSQL until the broker is hung and the stop begun
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const lock = await pool.connect();
    await lock.query("BEGIN");
    await lock.query("SELECT 1 FROM mt_partitions WHERE group_id = $1 FOR UPDATE", [n.group]);
    const lockPid = (await lock.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const child = spawnRunner(n, url);
    const exited = once(child, "exit") as Promise<[number | null]>;
    let stopped = false;
    try {
      await until("the claim waits for the lock", async () => (await pool.query("SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", [lockPid])).rowCount! > 0, 60_000);
      process.kill(brokerPid!, "SIGSTOP");
      stopped = true;
      const began = Date.now();
      child.kill("SIGTERM");
      await lock.query("COMMIT");
      const [code] = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the consumer did not exit while the broker was hung")), 60_000))]);
      expect(code).toBe(0);
      // each Kafka step of a stop waits 5 s at most, side by side
      expect(Date.now() - began).toBeLessThan(20_000);
    } finally {
      if (stopped) process.kill(brokerPid!, "SIGCONT");
      child.kill("SIGKILL");
      lock.release();
      await pool.end();
    }
  });
});
