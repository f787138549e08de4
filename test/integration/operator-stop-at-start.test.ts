// A stop asked for while `moneytrail run` waits at its start for a broker that does not answer (MT_KAFKA_START_WAIT_MS,
// a minute by default, up to an hour): the signal was held until the consumer was up, so the process sat out the
// whole wait (a supervisor's grace period ran out first, and it was killed) and then ended with "cannot reach Kafka",
// exit code 1, as if the stop had never been asked. Nothing has joined the group then, and there is nothing to save.
import { describe, expect, it, onTestFinished } from "vitest";
import { once } from "node:events";
import { freshNames, freshSchema, spawnRunner } from "./harness.js";

describe("a stop while the start waits for Kafka", () => {
  it("ends the wait, says so and exits 0", { timeout: 120_000 }, async () => {
    const n = freshNames("stop-at-start");
    // no broker at that address; a wait far longer than the test's
    const child = spawnRunner(n, await freshSchema(n), { KAFKA_BROKERS: "127.0.0.1:1", MT_KAFKA_START_WAIT_MS: "3600000", LOG_LEVEL: "info" });
    onTestFinished(() => void child.kill("SIGKILL"));
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, "exit") as Promise<[number | null, string | null]>;
    await new Promise<void>((resolve) => {
      const seen = () => stdout.includes('"msg":"connecting to Kafka"') && resolve();
      child.stdout?.on("data", seen);
    });
    child.kill("SIGTERM");
    const [code, signal] = await exited;
    expect(stderr).toBe("");
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as { msg: string; signal: string };
    expect(last.signal).toBe("SIGTERM");
    expect(last.msg).toBe("stopped during the start, before Kafka at KAFKA_BROKERS 127.0.0.1:1 answered: nothing had joined the consumer group, nothing to save");
  });
});
