// The commands that talk to Kafka once (produce, indicators publish, backtest --topic, db reset-positions) check a
// broker list and a topic name as `run` does, before connecting: a broker without its port was "cannot reach Kafka
// (... Port should be >= 0 ... NaN)", exit 1, and a topic name Kafka refuses a kafkajs log line and a stack trace.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-cli-kafka-"));
const EVENTS = join(SAMPLE_DIR, "events.ndjson");
const SET = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
// nothing listens there: a command that got as far as connecting would end with exit 1
const NOBODY = "127.0.0.1:1";

/** Exit 2 with one line on stderr, before anything connects. */
function refused(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KAFKA_BROKERS: "", MT_EVENTS_TOPIC: "", MT_INDICATOR_TOPIC: "", DATABASE_URL: "postgres://x@127.0.0.1:1/x", ...env },
  });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: [^\n]+\n$/);
  return r.stderr;
}

const TOPIC_RULE = "a Kafka topic name is 1 to 249 letters, digits, '.', '_' or '-'";

describe("Kafka settings of the one-shot commands", () => {
  it("a broker without its port, or with one out of range, names the flag or the variable", { timeout: 60_000 }, () => {
    expect(refused(["produce", "--events", EVENTS, "--brokers", "127.0.0.1"])).toBe("error: --brokers 127.0.0.1: a broker is host:port\n");
    expect(refused(["indicators", "publish", SET, "--unsigned"], { KAFKA_BROKERS: "127.0.0.1:9092,127.0.0.1:99999" })).toBe(
      "error: KAFKA_BROKERS 127.0.0.1:9092,127.0.0.1:99999: a broker's port is a number from 1 to 65535\n",
    );
  });

  it("a topic name Kafka would refuse names the flag or the variable", { timeout: 60_000 }, () => {
    expect(refused(["produce", "--events", EVENTS, "--brokers", NOBODY, "--topic", "my events"])).toBe(`error: --topic my events: ${TOPIC_RULE}\n`);
    expect(refused(["produce", "--events", EVENTS, "--brokers", NOBODY], { MT_EVENTS_TOPIC: "my events" })).toBe(`error: MT_EVENTS_TOPIC my events: ${TOPIC_RULE}\n`);
    expect(refused(["indicators", "publish", SET, "--brokers", NOBODY], { MT_INDICATOR_TOPIC: ".." })).toBe("error: MT_INDICATOR_TOPIC ..: a Kafka topic name cannot be '.' or '..'\n");
    expect(refused(["db", "reset-positions", "--keep-state", "--topic", "my events"])).toBe(`error: --topic my events: ${TOPIC_RULE}\n`);
    expect(refused(["backtest", "--topic", "my events", "--brokers", NOBODY, "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES])).toBe(`error: --topic my events: ${TOPIC_RULE}\n`);
  });

  it("db reset-positions: --keep-state and --forget-state together are refused as such", { timeout: 60_000 }, () => {
    // was the message for neither, which asks for one of them while both were given
    expect(refused(["db", "reset-positions", "--keep-state", "--forget-state"])).toBe("error: option '--keep-state' cannot be used with option '--forget-state'\n");
  });
});
