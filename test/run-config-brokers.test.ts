// `moneytrail run` refuses a broker whose port cannot be one: KAFKA_BROKERS=kafka:90920 was taken, and the start
// then waited MT_KAFKA_START_WAIT_MS (a minute) for a broker it could never reach before it said so.
import { describe, it, expect } from "vitest";
import { runConfig } from "../src/config/run.js";

describe("run configuration: the brokers", () => {
  const env = { DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };
  const withFlags = new Set(["brokers"]);

  it("refuses a port out of range, once, before connecting", () => {
    for (const b of ["kafka:90920", "kafka:0", "10.0.0.1:9092,kafka:65536"])
      expect(() => runConfig({ ...env, KAFKA_BROKERS: b }, {}, withFlags)).toThrow(/^configuration is not valid:\n {2}KAFKA_BROKERS \(--brokers\): a broker's port is a number from 1 to 65535$/);
    // a broker without a port is said to be one, not also to have a bad port
    expect(() => runConfig({ ...env, KAFKA_BROKERS: "kafka" }, {}, withFlags)).toThrow(/^configuration is not valid:\n {2}KAFKA_BROKERS \(--brokers\): a broker is host:port$/);
    expect(runConfig({ ...env, KAFKA_BROKERS: "kafka:1,kafka:65535" }).brokers).toEqual(["kafka:1", "kafka:65535"]);
  });
});
