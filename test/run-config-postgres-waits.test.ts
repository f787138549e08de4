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
});
