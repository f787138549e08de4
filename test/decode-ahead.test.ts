// An event dated far ahead would move all its merchant's windows forward (they end at its latest event) and make
// every real event after it late: decoding refuses one more than a tolerance after its reference time, as a bad
// event is refused (dead-lettered or rejected, with the reason, its bytes kept).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { decode, DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BYTES, type AheadLimit } from "../src/decode/decode.js";
import { replay } from "../src/app/replay.js";
import { backtest } from "../src/app/backtest.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { runConfig } from "../src/config/run.js";
import { indexOf, merchant, resetEvents, ruleSetWith, tx, cardToken } from "./helpers/events.js";
import { CARD_TESTING_RULE } from "./helpers/rules.js";

const LIMIT: AheadLimit = { maxAheadMs: DEFAULT_MAX_AHEAD_MS, reference: "the message's timestamp", setting: "MT_MAX_AHEAD_MS" };
const REF = Date.parse("2026-03-02T00:00:00Z");
const at = (occurredAt: string) => JSON.stringify({ ...tx(), occurredAt });

beforeEach(() => resetEvents("2026-03-02T00:00:00Z"));

describe("decode: events dated ahead of their reference time", () => {
  it("refuses one more than the tolerance after it, saying by how much, after what, and which setting allows what", () => {
    expect(decode(at("2026-03-02T00:05:00Z"), DEFAULT_MAX_BYTES, LIMIT, REF)).toMatchObject({ ok: true });
    expect(decode(at("2026-03-02T00:05:01Z"), DEFAULT_MAX_BYTES, LIMIT, REF)).toMatchObject({
      ok: false,
      kind: "schema",
      reason:
        "schema: occurredAt: 2026-03-02T00:05:01Z is 5 minutes after the message's timestamp (2026-03-02T00:00:00.000Z), more than MT_MAX_AHEAD_MS allows (5 minutes): an event dated ahead would make the merchant's later events late; correct its time, or the clock of the system that sets it, and send it again",
    });
    expect(decode(at("2031-03-02T00:00:00Z"), DEFAULT_MAX_BYTES, LIMIT, REF)).toMatchObject({ ok: false, reason: expect.stringMatching(/^schema: occurredAt: 2031-03-02T00:00:00Z is 1,826 days after the message's timestamp/) });
    // a spelling only zod reads (+00:00) is checked as well
    expect(decode(at("2031-03-02T00:00:00+00:00"), DEFAULT_MAX_BYTES, LIMIT, REF)).toMatchObject({ ok: false, kind: "schema" });
    // events in the past are what a consumer usually sees
    expect(decode(at("2020-01-01T00:00:00Z"), DEFAULT_MAX_BYTES, LIMIT, REF)).toMatchObject({ ok: true });
  });

  it("compares nothing without a limit, or for a message without a timestamp", () => {
    expect(decode(at("2099-01-01T00:00:00Z"))).toMatchObject({ ok: true });
    expect(decode(at("2099-01-01T00:00:00Z"), DEFAULT_MAX_BYTES, LIMIT, -1)).toMatchObject({ ok: true });
  });

  it("run: MT_MAX_AHEAD_MS sets the tolerance, 5 minutes by default", () => {
    const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1/db" };
    expect(runConfig(env).maxAheadMs).toBe(300_000);
    expect(runConfig({ ...env, MT_MAX_AHEAD_MS: "60000" }).maxAheadMs).toBe(60_000);
    expect(() => runConfig({ ...env, MT_MAX_AHEAD_MS: "soon" })).toThrow(/MT_MAX_AHEAD_MS: expected a whole number of at least 0/);
  });
});

describe("replay and backtest: events dated after the run began", () => {
  // a merchant, an event dated in 2099, then a card-testing burst: the 2099 event made the burst late, so it counted nowhere
  const lines = (): string[] => {
    const m = merchant();
    const future = tx({ occurredAt: "2099-03-02T00:00:00Z", amountMinor: 100 });
    resetEvents("2026-03-02T00:10:00Z");
    const burst = Array.from({ length: 15 }, (_, i) => tx({ status: "declined", amountMinor: 100, card: { token: cardToken(i % 12) } }));
    return [m, future, ...burst].map((e) => JSON.stringify(e));
  };

  it("replay rejects it with its line, reason and bytes, and the merchant's later events still count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-ahead-"));
    const events = join(dir, "events.ndjson");
    const l = lines();
    writeFileSync(events, `${l.join("\n")}\n`);
    const s = await replay({ events, out: join(dir, "alerts.ndjson"), rejects: join(dir, "rejects.ndjson"), ruleSet: ruleSetWith(CARD_TESTING_RULE), indicators: indexOf() });
    expect(s).toMatchObject({ events: 16, rejected: 1, alerts: 1 });
    const [reject] = readFileSync(join(dir, "rejects.ndjson"), "utf8").split("\n").filter(Boolean).map((r) => JSON.parse(r));
    expect(reject).toMatchObject({ line: 2, raw: l[1], reason: expect.stringMatching(/^schema: occurredAt: 2099-03-02T00:00:00Z is [\d,]+ days after the start of the replay \(.*\), more than --max-ahead-ms allows \(5 minutes\)/) });
  });

  it("backtest counts it as a schema reject and runs the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-ahead-"));
    const events = join(dir, "events.ndjson");
    writeFileSync(events, `${lines().join("\n")}\n`);
    const rules = { name: "r", ruleSet: ruleSetWith(CARD_TESTING_RULE) };
    const r = await backtest({ events: { name: events, batches: readLineBatches(events) }, baseline: rules, candidate: rules, indicators: indexOf() });
    expect(r.events.rejected).toMatchObject({ total: 1, schema: 1, first: [{ line: 2, kind: "schema" }] });
    expect(r.events.processed).toBe(16);
    expect(r.overall.a.alerted).toBe(1);
  });
});
