// `moneytrail run` at start: a broker that does not answer is reported within MT_KAFKA_START_WAIT_MS, one that
// comes up within it is waited for. Real PostgreSQL, real broker (behind a listener that opens late).
import { describe, it, expect, onTestFinished } from "vitest";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer, connect, type Server } from "node:net";
import { freePort } from "../../src/bench/processes.js";
import { brokers, consuming, createTopics, freshNames, freshSchema, spawnRunner } from "./harness.js";

const exitOf = async (child: ReturnType<typeof spawnRunner>) => {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
};

describe("moneytrail run, waiting for Kafka at start", () => {
  it("gives up on a broker that does not answer after MT_KAFKA_START_WAIT_MS, with the address and exit code 1", async () => {
    const n = freshNames("kstart-none");
    const url = await freshSchema(n);
    const started = Date.now();
    // port 1: nothing listens there
    const child = spawnRunner(n, url, { KAFKA_BROKERS: "127.0.0.1:1", MT_KAFKA_START_WAIT_MS: "3000" });
    // a regression would leave it retrying for minutes after the test timed out on it
    onTestFinished(() => void child.kill("SIGKILL"));
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: cannot reach Kafka at KAFKA_BROKERS 127\.0\.0\.1:1 within 3 s \(.*ECONNREFUSED.*\); is the broker running/m);
    expect(stderr).toContain("MT_KAFKA_START_WAIT_MS");
    expect(stderr).not.toMatch(/^\s+at /m);
    // the client's own retries would take minutes: the wait is what bounds it
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("waits for a broker that starts answering within the wait", async () => {
    const n = freshNames("kstart-late");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const [host, port] = brokers()[0]!.split(":") as [string, string];
    // a free port, closed until the listener below opens it as a forwarder to the real broker
    const late = await freePort();
    const child = spawnRunner(n, url, { KAFKA_BROKERS: `127.0.0.1:${late}`, MT_KAFKA_START_WAIT_MS: "30000", LOG_LEVEL: "info" });
    let forwarder: Server | undefined;
    try {
      const up = consuming(child, 90_000);
      await sleep(3000);
      expect(child.exitCode).toBeNull();
      forwarder = createServer((socket) => socket.pipe(connect(Number(port), host)).pipe(socket)).listen(late, "127.0.0.1");
      await up;
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
      forwarder?.close();
    }
  });
});
