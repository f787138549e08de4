// PostgreSQL restarted at 3am: what the on-call engineer reads in the log next morning. While it is away each
// partition's failing position save is said once (then once a minute), not every second; once it takes the
// partition's writes again, a line says so, with how many failed and since when (before, the log's last word on
// the database was a warning, and the log could not tell whether it came back).
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { createTopics, freshNames, freshSchema, pgProxy, produce, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Line = { level: number; msg: string; partition?: number; failures?: number; since?: string };

describe("the log of a PostgreSQL restart", () => {
  it("says a partition's failing position saves once, then that its writes succeed again", { timeout: 180_000 }, async () => {
    const n = freshNames("opback");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const proxy = await pgProxy(url);
    const lines: Line[] = [];
    const runner = await startRunner(n, proxy.url, {}, createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line) as Line) }));
    const sample = sampleLines();
    // transactions alone: chunks without outputs, whose positions are saved in the background every second
    const quiet = sample.filter((l) => l.includes('"type":"transaction"'));
    try {
      await produce(n.events, quiet.slice(0, 200));
      await waitCaughtUp(n, url);
      await proxy.down();
      await produce(n.events, quiet.slice(200, 400));
      await until("the positions' saves failing", () => lines.some((l) => l.msg.startsWith("position not saved")), 30_000);
      // several saves a partition fail meanwhile, one a second
      await sleep(5000);
      await proxy.up();
      await waitCaughtUp(n, url);
      await until("a line saying PostgreSQL takes the writes again", () => lines.some((l) => l.msg.includes("succeed again")), 30_000);
    } finally {
      await runner.stop();
      await proxy.close();
    }
    const failing = lines.filter((l) => l.msg.startsWith("position not saved"));
    for (const p of new Set(failing.map((l) => l.partition))) expect(failing.filter((l) => l.partition === p).map((l) => l.msg)).toHaveLength(1);
    const back = lines.filter((l) => l.msg.includes("succeed again"));
    for (const l of back) {
      expect(l.level).toBe(30);
      expect(l.failures).toBeGreaterThanOrEqual(1);
      expect(Date.parse(l.since!)).toBeLessThan(Date.now());
    }
    // every partition said to fail is said to be back
    expect(new Set(back.map((l) => l.partition))).toEqual(new Set(failing.map((l) => l.partition)));
  });
});
