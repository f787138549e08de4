// How long `moneytrail run` waits on PostgreSQL: settings with documented defaults, refused with their range when wrong.
import { describe, expect, it } from "vitest";
import { runConfig } from "../src/config/run.js";

const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };

describe("run's waits on PostgreSQL", () => {
  it("a stop gives PostgreSQL 20 s by default, MT_STOP_PG_WAIT_MS from 1 s", () => {
    expect(runConfig(env).stopPgWaitMs).toBe(20_000);
    expect(runConfig({ ...env, MT_STOP_PG_WAIT_MS: "3000" }).stopPgWaitMs).toBe(3000);
    expect(() => runConfig({ ...env, MT_STOP_PG_WAIT_MS: "0" })).toThrow(/MT_STOP_PG_WAIT_MS: expected a whole number from 1000 to 600000/);
  });

  it("a connection gets 10 s to open and a statement 60 s to be answered by default, 0 for no limit", () => {
    expect(runConfig(env)).toMatchObject({ pgConnectTimeoutMs: 10_000, pgQueryTimeoutMs: 60_000 });
    expect(runConfig({ ...env, MT_PG_CONNECT_TIMEOUT_MS: "0", MT_PG_QUERY_TIMEOUT_MS: "0" })).toMatchObject({ pgConnectTimeoutMs: 0, pgQueryTimeoutMs: 0 });
    expect(() => runConfig({ ...env, MT_PG_QUERY_TIMEOUT_MS: "1m" })).toThrow(/MT_PG_QUERY_TIMEOUT_MS: expected a whole number from 0 to 3600000/);
    expect(() => runConfig({ ...env, MT_PG_CONNECT_TIMEOUT_MS: "-1" })).toThrow(/MT_PG_CONNECT_TIMEOUT_MS: expected a whole number from 0 to 600000/);
  });
});
