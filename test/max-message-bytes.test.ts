// replay and backtest take the size limit run takes (MT_MAX_MESSAGE_BYTES) as --max-message-bytes, with run's default:
// with a larger setting, run processes an event that a replay with the same setting must process too. The refusal
// names the setting to raise where it was given.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BYTES, decode } from "../src/decode/decode.js";
import { replay } from "../src/app/replay.js";
import { backtest } from "../src/app/backtest.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { indexOf, merchant, resetEvents, ruleSetWith, tx } from "./helpers/events.js";
import { CLI } from "./helpers/cli.js";
import { CARD_TESTING_RULE } from "./helpers/rules.js";

/** a merchant profile carrying an extension the contract lets a producer add (unknown keys are dropped), 100 KB of it */
const BIG = 100_000;
const TAKES = String(2 * BIG);

describe("--max-message-bytes", () => {
  let dir: string;
  let events: string;
  beforeEach(() => {
    resetEvents();
    dir = mkdtempSync(join(tmpdir(), "mt-max-bytes-"));
    events = join(dir, "events.ndjson");
    const lines = [JSON.stringify({ ...merchant(), extension: "x".repeat(BIG) }), ...Array.from({ length: 3 }, () => JSON.stringify(tx()))];
    writeFileSync(events, `${lines.join("\n")}\n`);
  });

  it("replay rejects a line over the limit, naming the flag to raise, and takes it with the flag raised", async () => {
    const o = { events, out: join(dir, "a.ndjson"), rejects: join(dir, "r.ndjson"), ruleSet: ruleSetWith(CARD_TESTING_RULE), indicators: indexOf() };
    expect(await replay(o)).toMatchObject({ events: 3, rejected: 1 });
    const [reject] = readFileSync(o.rejects, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(reject).toMatchObject({ line: 1, reason: expect.stringMatching(/^too large: \d+ bytes, the limit is 65536: raise --max-message-bytes to take it$/) });
    expect(await replay({ ...o, maxMessageBytes: 2 * BIG })).toMatchObject({ events: 4, rejected: 0 });
  });

  it("backtest takes it with the flag raised", async () => {
    const rules = { name: "r", ruleSet: ruleSetWith(CARD_TESTING_RULE) };
    const run = (maxMessageBytes?: number) => backtest({ events: { name: events, batches: readLineBatches(events) }, baseline: rules, candidate: rules, indicators: indexOf(), maxMessageBytes });
    expect((await run()).events).toMatchObject({ processed: 3, rejected: { total: 1, "too-large": 1 } });
    expect((await run(2 * BIG)).events).toMatchObject({ processed: 4, rejected: { total: 0 } });
  });

  it("run's refusal names MT_MAX_MESSAGE_BYTES", () => {
    expect(decode("x".repeat(DEFAULT_MAX_BYTES + 1))).toMatchObject({ kind: "too-large", reason: expect.stringContaining("raise MT_MAX_MESSAGE_BYTES") });
  });

  it("is an option of both commands, from 1024 bytes to what one string holds", { timeout: 60_000 }, () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const r = cli("replay", "--events", events, "--out", join(dir, "cli.ndjson"), "--rules", DEFAULT_RULES, "--no-progress", "--max-message-bytes", TAKES);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^4 lines: 4 events processed, 0 rejected;/);
    const small = cli("backtest", "--events", events, "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--max-message-bytes", "100");
    expect(small.status).toBe(2);
    expect(small.stderr).toContain("--max-message-bytes");
    // a line's text is one string: a limit past what one holds would crash the replay on a line that long
    const large = cli("replay", "--events", events, "--out", join(dir, "cli.ndjson"), "--max-message-bytes", String(2 ** 29));
    expect(large.status).toBe(2);
    expect(large.stderr).toMatch(/--max-message-bytes.*from 1024 to 536870888/);
  });
});
