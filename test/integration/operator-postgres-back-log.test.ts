// PostgreSQL restarted at 3am: what the on-call engineer reads in the log next morning. While it is away each
// partition's failing position save is said once (then once a minute), not every second; once it takes the
// partition's writes again, a line says so, with how many failed and since when (before, the log's last word on
// the database was a warning, and the log could not tell whether it came back).
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { behindProxy, quietOutage, startRunner, until } from "./harness.js";

type Line = { level: number; msg: string; partition?: number; failures?: number; since?: string };

describe("the log of a PostgreSQL restart", () => {
  it("says a partition's failing position saves once, then that its writes succeed again", { timeout: 180_000 }, async () => {
    const { n, url, proxy } = await behindProxy("opback", 2);
    const lines: Line[] = [];
    const runner = await startRunner(n, proxy.url, {}, createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line) as Line) }));
    try {
      // several saves a partition fail meanwhile, one a second
      await quietOutage(n, url, proxy, { what: "the positions' saves failing", ok: () => lines.some((l) => l.msg.startsWith("position not saved")) });
      // each failing partition says so at its next save, which a loaded machine may put a few seconds apart
      const saidBack = (p: number | undefined) => lines.some((l) => l.partition === p && l.msg.includes("succeed again"));
      await until(
        "a line saying PostgreSQL takes the writes again, for each partition that failed",
        () => lines.filter((l) => l.msg.startsWith("position not saved")).every((l) => saidBack(l.partition)),
        30_000,
      );
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
    // every partition said to fail is said to be back (a partition whose chunk's commit failed, not a position save, is
    // said back too: a CI run under load had partition 1 so, and an equality of the two sets failed on it)
    const saidBack = new Set(back.map((l) => l.partition));
    for (const p of new Set(failing.map((l) => l.partition))) expect(saidBack).toContain(p);
  });
});
