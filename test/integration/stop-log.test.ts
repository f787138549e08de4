// A clean stop ends the log with one line saying so: an operator reading the log after SIGTERM can tell the
// consumer saved its partitions and left, and how long that took.
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

describe("stop's last log line", () => {
  it("says the stop was clean, with the partitions saved and how long it took", { timeout: 180_000 }, async () => {
    const n = freshNames("stoplog");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const lines: string[] = [];
    const runner = await startRunner(n, url, {}, createLogger("info", { write: (line: string) => void lines.push(line) }));
    try {
      await until("in the consumer group", async () => (await runner.readiness()).checks.group?.ok === true, 90_000);
      await produce(n.events, sampleLines());
      await waitCaughtUp(n, url);
    } finally {
      await runner.stop();
    }
    // the tests' database role is a superuser, which can switch the audit trail's trigger off: said once, at the start
    expect(lines.filter((l) => l.includes("the audit trail is not append-only")).map((l) => (JSON.parse(l) as { level: number }).level)).toEqual([40]);
    const last = JSON.parse(lines.at(-1)!) as { level: number; msg: string; partitions: number[]; ms: number };
    expect(last).toMatchObject({ level: 30, msg: "stopped: positions, checkpoint and offsets saved, the group left" });
    expect(last.partitions.sort()).toEqual([0, 1]);
    expect(last.ms).toBeGreaterThanOrEqual(0);
  });
});
