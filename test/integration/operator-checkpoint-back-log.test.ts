// PostgreSQL away for a while: checkpoints, tried about every second, each logged "checkpoint failed" at error (3,600
// error lines an hour) and nothing said when they were written again. The first failure is said, then one in 60,
// and a line says when checkpoints are written again, with how many failed since when. So for the reads of the flag
// notices, every second ("flag notices not read; trying again in a second").
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { behindProxy, quietOutage, startRunner, until } from "./harness.js";

type Line = { level: number; msg: string; failures?: number; since?: string };

describe("the log of checkpoints while PostgreSQL is away", () => {
  it("says the first failure, not every one, then that checkpoints are written again", { timeout: 180_000 }, async () => {
    const { n, url, proxy } = await behindProxy("opckpt", 2);
    const lines: Line[] = [];
    const runner = await startRunner(n, proxy.url, { checkpointMs: 300 }, createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line) as Line) }));
    try {
      // a checkpoint is tried every 300 ms / 2 partitions meanwhile, or at least every second
      await quietOutage(n, url, proxy, { what: "a checkpoint failing", ok: () => lines.some((l) => l.msg.startsWith("checkpoint failed")) });
      await until("a line saying checkpoints are written again", () => lines.some((l) => l.msg.startsWith("checkpoints are written again")), 30_000);
      await until("a line saying flag notices are read again", () => lines.some((l) => l.msg.startsWith("flag notices are read again")), 30_000);
    } finally {
      await runner.stop();
      await proxy.close();
    }
    expect(lines.filter((l) => l.msg.startsWith("checkpoint failed")).map((l) => l.level)).toEqual([50]);
    const back = lines.filter((l) => l.msg.startsWith("checkpoints are written again"));
    expect(back).toHaveLength(1);
    expect(back[0]!.level).toBe(30);
    expect(back[0]!.failures).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.msg.startsWith("flag notices not read")).map((l) => l.level)).toEqual([40]);
    const read = lines.filter((l) => l.msg.startsWith("flag notices are read again"));
    expect(read.map((l) => l.level)).toEqual([30]);
    expect(read[0]!.failures).toBeGreaterThanOrEqual(3);
  });
});
