// A record batch the codecs refuse (codecs.ts: over MT_MAX_BATCH_BYTES once decompressed, or unreadable) on a topic
// that `backtest --topic` reads: inside kafkajs the codec's error was retried without end, so the command never
// finished and logged errors a few times a second. It now ends (exit 2) naming the batch's partition and offset,
// why, and what to do; MT_MAX_BATCH_BYTES is read as `run` reads it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { CLI } from "../helpers/cli.js";
import { brokers, createTopics, freshNames, produce, sampleLines, sendBomb } from "./harness.js";

describe("backtest --topic over a batch it cannot read", () => {
  it("ends with the batch's place, why and what to do, and takes MT_MAX_BATCH_BYTES", { timeout: 120_000 }, async () => {
    const n = freshNames("bt-bomb");
    await createTopics(n, 1);
    const lines = sampleLines().slice(0, 30);
    await produce(n.events, lines.slice(0, 20));
    // over a bound of 1 MiB
    const bombAt = await sendBomb(n.events, lines[0]!);
    await produce(n.events, lines.slice(20));

    const args = ["backtest", "--topic", n.events, "--brokers", brokers().join(","), "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress"];
    const started = Date.now();
    const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", timeout: 90_000, env: { ...process.env, MT_MAX_BATCH_BYTES: String(1 << 20) } });
    expect(r.status, r.stderr).toBe(2);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.stderr).toContain(`${n.events}[0] at offset ${bombAt}: a record batch of 1 records cannot be read: its GZIP data decompresses to more than 1048576 bytes (MT_MAX_BATCH_BYTES)`);
    expect(r.stderr).toContain("raise MT_MAX_BATCH_BYTES if its producer meant a batch that large, or read a window that leaves it out (backtest --from/--to)");

    // under the default bound (65 MiB) the same batch is read, and the 8 MiB message refused as run refuses it
    const ok = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", timeout: 90_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/too large/);
  });
});
