// /healthz, /readyz and /metrics while `moneytrail run` starts. The metrics port was opened only after the start's
// wait for Kafka (MT_KAFKA_START_WAIT_MS, a minute by default, up to an hour) and its warm-up: a Kubernetes liveness
// probe on /healthz found nothing there, killed a pod that was only waiting for its broker, and it started again
// into the same wait, in a loop. The port is now served from the start's first step: /healthz 200, /readyz 503 with
// a `start` check saying what the start waits for, /metrics with the step (moneytrail_start_phase). A port taken is
// refused before anything connects, and a stop during the wait still ends it at once (exit 0), the port closed.
// (That stop was held until the consumer was up, so the process sat out the whole wait, a supervisor's grace period
// ran out first, and it ended with "cannot reach Kafka", exit 1: nothing has joined the group then, nothing to save.)
import { describe, expect, it, onTestFinished } from "vitest";
import { once } from "node:events";
import { createServer, connect, type Server } from "node:net";
import { freePort } from "../../src/bench/processes.js";
import { brokers, createTopics, freshNames, freshSchema, spawnRunner, startRunner, until, type Names } from "./harness.js";

const get = async (port: number, path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
};
/** whether anything answers on the port (a server closed refuses the connection) */
const answers = (port: number) => get(port, "/healthz").then(() => true, () => false);

describe("the metrics port while the start waits", () => {
  it("is alive, not ready and says why during the wait for Kafka, then ready once the broker answers", { timeout: 180_000 }, async () => {
    const n = freshNames("probes-wait");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const port = await freePort();
    // closed until the forwarder below opens it to the real broker
    const late = await freePort();
    const starting = startRunner(n, url, { brokers: `127.0.0.1:${late}`, kafkaStartWaitMs: 120_000, metricsPort: port });
    // whatever happens below, the start's own failure is not left unhandled
    starting.catch(() => undefined);
    let forwarder: Server | undefined;
    try {
      await until("/healthz served during the wait for Kafka", () => answers(port), 60_000);
      expect(await get(port, "/healthz")).toEqual({ status: 200, body: JSON.stringify({ status: "alive" }) });
      // the first try's failure is named once it has come back
      await until("/readyz naming the last try", async () => (await get(port, "/readyz")).body.includes("ECONNREFUSED"));
      const waiting = await get(port, "/readyz");
      expect(waiting.status).toBe(503);
      const body = JSON.parse(waiting.body) as { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(body.ready).toBe(false);
      expect(body.checks.start!.ok).toBe(false);
      expect(body.checks.start!.detail).toMatch(new RegExp(`^waiting for Kafka at KAFKA_BROKERS 127\\.0\\.0\\.1:${late} \\(since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, up to 120 s: MT_KAFKA_START_WAIT_MS\\); last try: .*ECONNREFUSED`));
      const metrics = await get(port, "/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('moneytrail_start_phase{phase="kafka"} 1');
      expect(metrics.body).toContain('moneytrail_start_phase{phase="database"} 0');
      // nothing is consumed yet, and it says so
      expect(metrics.body).toContain("moneytrail_events_consumed_total 0");
      expect(metrics.body).toContain("process_cpu_seconds_total");

      const [host, brokerPort] = brokers()[0]!.split(":") as [string, string];
      forwarder = createServer((socket) => socket.pipe(connect(Number(brokerPort), host)).pipe(socket)).listen(late, "127.0.0.1");
      const runner = await starting;
      try {
        await until("ready once the consumer is up", async () => (await get(port, "/readyz")).status === 200, 60_000);
        const ready = JSON.parse((await get(port, "/readyz")).body) as { checks: Record<string, unknown> };
        expect(ready.checks.start).toBeUndefined();
        expect(ready.checks).toMatchObject({ broker: { ok: true }, database: { ok: true }, group: { ok: true } });
        const after = (await get(port, "/metrics")).body;
        expect(after).not.toMatch(/moneytrail_start_phase\{phase="[a-z-]+"\} 1/);
        expect(after).toContain('moneytrail_start_phase{phase="group"} 0');
        // the Runner's own series, in the registry served since the start
        expect(after).toContain('moneytrail_rule_set_info{id="efc-default"');
      } finally {
        await runner.stop();
      }
      expect(await answers(port)).toBe(false);
    } finally {
      forwarder?.close();
    }
  });

  /** `moneytrail run` as spawnRunner starts it, with its output kept and its exit. */
  const watched = (n: Names, url: string, env: Record<string, string>) => {
    const child = spawnRunner(n, url, { LOG_LEVEL: "info", ...env });
    onTestFinished(() => void child.kill("SIGKILL"));
    const out = { stdout: "", stderr: "" };
    child.stdout?.on("data", (d: Buffer) => (out.stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out.stderr += d.toString()));
    const exited = (once(child, "exit") as Promise<[number | null, string | null]>).then(([code, signal]) => ({ code, signal, ...out }));
    return { child, exited };
  };

  /** A start sent SIGTERM once /readyz says it is at the step `at` begins with: its exit, which it says in its last line. */
  const stoppedAt = async (prefix: string, at: string, env: Record<string, string>) => {
    const n = freshNames(prefix);
    const port = await freePort();
    const { child, exited } = watched(n, await freshSchema(n), { MT_METRICS_PORT: String(port), ...env });
    await until(`/readyz saying the start is at '${at}'`, async () => {
      const r = await get(port, "/readyz").catch(() => undefined);
      return r?.status === 503 && (JSON.parse(r.body) as { checks: { start?: { detail: string } } }).checks.start?.detail.startsWith(at) === true;
    }, 60_000);
    expect((await get(port, "/healthz")).status).toBe(200);
    child.kill("SIGTERM");
    const e = await exited;
    expect(e.stderr).toBe("");
    expect({ code: e.code, signal: e.signal }).toEqual({ code: 0, signal: null });
    expect(await answers(port)).toBe(false);
    const last = JSON.parse(e.stdout.trim().split("\n").at(-1)!) as { msg: string; signal: string };
    expect(last.signal).toBe("SIGTERM");
    return { ...e, last: last.msg };
  };

  it("closes on a stop during the wait for Kafka, which ends the wait at once with exit code 0", { timeout: 120_000 }, async () => {
    // no broker at that address; a wait far longer than the test's
    const { last } = await stoppedAt("probes-stop", "waiting for Kafka at KAFKA_BROKERS 127.0.0.1:1 ", { KAFKA_BROKERS: "127.0.0.1:1", MT_KAFKA_START_WAIT_MS: "3600000" });
    expect(last).toBe("stopped during the start, before Kafka at KAFKA_BROKERS 127.0.0.1:1 answered: nothing had joined the consumer group, nothing to save");
  });

  // The warm-up took the process whole: a stop during it (MT_WARM_UP_EVENTS=200000 took 6 s on an idle machine, 70 s
  // on a loaded one) was honoured only after it, the start then joining the group (a rebalance for the other members)
  // only to leave it, past a supervisor's grace period.
  it("closes on a stop during the warm-up, which ends the start there with exit code 0", { timeout: 180_000 }, async () => {
    // the most it takes: half a minute on an idle machine
    const { last, stdout } = await stoppedAt("warm-stop", "warming up (MT_WARM_UP_EVENTS)", { MT_WARM_UP_EVENTS: "1000000" });
    expect(last).toBe("stopped during the start, while it warmed up on synthetic events (MT_WARM_UP_EVENTS), after Kafka answered: nothing had joined the consumer group, nothing to save");
    for (const msg of ["warmed up on synthetic events", "partitions assigned", "consuming", "stopping: finishing the batch in hand, committing, leaving the group"]) expect(stdout).not.toContain(`"msg":"${msg}"`);
    expect(stdout).not.toContain('"msg":"stopped: ');
  });

  /** A port another process holds until the test ends. */
  const takenPort = async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    onTestFinished(() => void taken.close());
    return (taken.address() as { port: number }).port;
  };
  /** A start given `env` that neither PostgreSQL nor a broker answers (an hour's wait for it): its exit. */
  const startUnanswered = (prefix: string, env: Record<string, string>) =>
    watched(freshNames(prefix), "postgres://postgres@127.0.0.1:1/test", { KAFKA_BROKERS: "127.0.0.1:1", MT_KAFKA_START_WAIT_MS: "3600000", ...env }).exited;
  const inUse = (setting: string, port: number) =>
    `${setting}: 127.0.0.1:${port} is already in use by another process: stop it, or set ${setting.split(" ")[0]} to a free port (0 turns it off)`;

  it("refuses a metrics port another process holds before it connects to anything", { timeout: 120_000 }, async () => {
    const port = await takenPort();
    const { code, stdout, stderr } = await startUnanswered("probes-taken", { MT_METRICS_PORT: String(port) });
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${inUse("MT_METRICS_PORT", port)}\n`);
    expect(stderr).not.toContain("PostgreSQL");
    expect(stdout).not.toContain('"msg":"connecting to Kafka"');
  });

  // The reviewers' page listens once the consumer is up: a port taken was found after PostgreSQL, the wait for Kafka
  // (up to an hour) and the warm-up, and the pod restarted into the same wait.
  it("refuses a reviewers' page port another process holds before it connects to anything", { timeout: 120_000 }, async () => {
    const port = await takenPort();
    const { code, stdout, stderr } = await startUnanswered("web-taken", { MT_HTTP_PORT: String(port), MT_METRICS_PORT: "0" });
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${inUse("MT_HTTP_PORT (--http-port)", port)}\n`);
    expect(stderr).not.toContain("PostgreSQL");
    expect(stdout).not.toContain('"msg":"connecting to Kafka"');
  });

  // A second `run` on one host (README: scaling out) has both ports of the first: it named one, and once that was
  // changed, at the next start, the other.
  it("names both ports when both are taken", { timeout: 120_000 }, async () => {
    const [web, metrics] = [await takenPort(), await takenPort()];
    const { code, stderr } = await startUnanswered("both-taken", { MT_HTTP_PORT: String(web), MT_METRICS_PORT: String(metrics) });
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${inUse("MT_HTTP_PORT (--http-port)", web)}; ${inUse("MT_METRICS_PORT", metrics)}\n`);
  });
});
