// `moneytrail run` configuration: defaults, flags over environment, and errors that say what to set.
import { describe, it, expect } from "vitest";
import { runConfig } from "../src/config/run.js";

describe("run configuration", () => {
  const env = { KAFKA_BROKERS: "127.0.0.1:9092, 127.0.0.1:9093", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };

  it("reads the environment and fills documented defaults", () => {
    const c = runConfig(env);
    expect(c.brokers).toEqual(["127.0.0.1:9092", "127.0.0.1:9093"]);
    expect(c).toMatchObject({ groupId: "moneytrail", eventsTopic: "mt.merchant-events", alertsTopic: "mt.alerts", deadLetterTopic: "mt.dead-letter", maxMessageBytes: 65536, fromBeginning: true, metricsPort: 9464 });
  });

  it("lets flags override the environment", () => {
    expect(runConfig({ ...env, MT_GROUP_ID: "a" }, { groupId: "b", metricsPort: "0" })).toMatchObject({ groupId: "b", metricsPort: 0 });
  });

  it("names each missing or wrong setting and how to give it", () => {
    expect(() => runConfig({})).toThrow(/KAFKA_BROKERS is not set[\s\S]*DATABASE_URL is not set/);
    expect(() => runConfig({ ...env, KAFKA_BROKERS: "localhost" })).toThrow(/KAFKA_BROKERS \(--brokers\): a broker is host:port/);
    expect(() => runConfig({ ...env, DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL \(--database-url\): DATABASE_URL must start with postgres/);
    expect(() => runConfig({ ...env, MT_METRICS_PORT: "http" })).toThrow(/MT_METRICS_PORT/);
    expect(() => runConfig({ ...env, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});
