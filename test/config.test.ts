// `moneytrail run` configuration: defaults, flags over environment, and errors that say what to set.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { runConfig } from "../src/config/run.js";
import { CLI } from "./helpers/cli.js";

describe("run configuration", () => {
  const env = { KAFKA_BROKERS: "127.0.0.1:9092, 127.0.0.1:9093", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };

  it("reads the environment and fills documented defaults", () => {
    const c = runConfig(env);
    expect(c.brokers).toEqual(["127.0.0.1:9092", "127.0.0.1:9093"]);
    expect(c).toMatchObject({ groupId: "moneytrail", eventsTopic: "mt.merchant-events", alertsTopic: "mt.alerts", deadLetterTopic: "mt.dead-letter", maxMessageBytes: 65536, fromBeginning: true, metricsPort: 9464, concurrentPartitions: 3, checkpointMs: 5000 });
    expect(runConfig({ ...env, MT_CONCURRENT_PARTITIONS: "6" }).concurrentPartitions).toBe(6);
  });

  it("lets flags override the environment", () => {
    expect(runConfig({ ...env, MT_GROUP_ID: "a" }, { groupId: "b", metricsPort: "0" })).toMatchObject({ groupId: "b", metricsPort: 0 });
  });

  it("names each missing or wrong setting and how to give it", () => {
    expect(() => runConfig({})).toThrow(/KAFKA_BROKERS is not set[\s\S]*DATABASE_URL is not set/);
    const withFlags = new Set(["brokers", "databaseUrl", "concurrentPartitions"]);
    expect(() => runConfig({ ...env, KAFKA_BROKERS: "localhost" }, {}, withFlags)).toThrow(/KAFKA_BROKERS \(--brokers\): a broker is host:port/);
    expect(() => runConfig({ ...env, DATABASE_URL: "mysql://x" }, {}, withFlags)).toThrow(/DATABASE_URL \(--database-url\): DATABASE_URL must start with postgres/);
    expect(() => runConfig({ ...env, MT_METRICS_PORT: "http" })).toThrow(/MT_METRICS_PORT/);
    expect(() => runConfig({ ...env, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() => runConfig({ ...env, MT_CONCURRENT_PARTITIONS: "0" }, {}, withFlags)).toThrow(/MT_CONCURRENT_PARTITIONS \(--concurrent-partitions\)/);
    // a setting without a flag is named by its variable alone
    expect(() => runConfig({ ...env, MT_FROM_BEGINNING: "maybe" }, {}, withFlags)).toThrow(/\n {2}MT_FROM_BEGINNING: expected true or false/);
  });

  it("takes the trusted proxies as a list of addresses or ranges", () => {
    expect(runConfig({ ...env, MT_TRUST_PROXY: "10.0.0.5, 10.1.0.0/16,::1" }).trustProxy).toEqual(["10.0.0.5", "10.1.0.0/16", "::1"]);
    expect(runConfig(env).trustProxy).toBeUndefined();
    expect(() => runConfig({ ...env, MT_TRUST_PROXY: "proxy.example" })).toThrow(/MT_TRUST_PROXY: a proxy is an IP address or a CIDR range/);
  });

  it("says what a yes/no or a number setting takes, not zod's bare \"Invalid input\"", () => {
    expect(() => runConfig({ ...env, MT_FROM_BEGINNING: "maybe" })).toThrow(/MT_FROM_BEGINNING.*: expected true or false/);
    expect(runConfig({ ...env, MT_FROM_BEGINNING: "no" }).fromBeginning).toBe(false);
    for (const bad of ["http", "1.5", "70000", " ", "0x10", "-1"]) expect(() => runConfig({ ...env, MT_METRICS_PORT: bad })).toThrow(/MT_METRICS_PORT.*: expected a whole number from 0 to 65535$/);
    expect(() => runConfig({ ...env, MT_MAX_MESSAGE_BYTES: "10" })).toThrow(/MT_MAX_MESSAGE_BYTES.*: expected a whole number from 1024 to \d+$/);
    // a message longer than a string can hold would crash decoding instead of being dead-lettered
    expect(() => runConfig({ ...env, MT_MAX_MESSAGE_BYTES: "600000000" })).toThrow(/MT_MAX_MESSAGE_BYTES.*: expected a whole number from 1024 to 5368/);
    expect(() => runConfig({ ...env, MT_COMMIT_EVERY: "lots" })).toThrow(/MT_COMMIT_EVERY.*: expected a whole number from 1 to 100000$/);
    expect(runConfig({ ...env, MT_WARM_UP_EVENTS: "0" }, { httpPort: 0 })).toMatchObject({ warmUpEvents: 0, httpPort: 0 });
  });

  it("serves the reviewers' page on 127.0.0.1:8080 by default and needs a secret for a webhook", () => {
    expect(runConfig(env)).toMatchObject({ httpPort: 8080, httpHost: "127.0.0.1" });
    expect(runConfig(env).webhookUrl).toBeUndefined();
    expect(() => runConfig({ ...env, MT_WEBHOOK_URL: "https://hooks.example/mt" })).toThrow(/MT_WEBHOOK_SECRET.*needed to sign/);
    expect(() => runConfig({ ...env, MT_WEBHOOK_URL: "https://hooks.example/mt", MT_WEBHOOK_SECRET: "short" })).toThrow(/at least 16/);
    expect(() => runConfig({ ...env, MT_WEBHOOK_URL: "ftp://hooks.example/", MT_WEBHOOK_SECRET: "0123456789abcdef" })).toThrow(/MT_WEBHOOK_URL/);
    expect(runConfig({ ...env, MT_WEBHOOK_URL: "https://hooks.example/mt", MT_WEBHOOK_SECRET: "0123456789abcdef" }).webhookUrl).toBe("https://hooks.example/mt");
  });
});

describe("moneytrail run, started wrongly", () => {
  // as a person sees it: what to set or check, and no stack trace
  const start = (env: Record<string, string>) => {
    const { KAFKA_BROKERS: _k, DATABASE_URL: _d, ...rest } = process.env;
    return spawnSync(process.execPath, [...CLI, "run"], { env: { ...rest, ...env }, encoding: "utf8", timeout: 60_000 });
  };

  it("names every missing setting and exits 2", { timeout: 60_000 }, () => {
    const r = start({});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: configuration is not valid:\n {2}KAFKA_BROKERS \(--brokers\): KAFKA_BROKERS is not set.*\n {2}DATABASE_URL \(--database-url\): DATABASE_URL is not set/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("says which service did not answer and exits 1", { timeout: 60_000 }, () => {
    // port 1: nothing listens there
    const r = start({ KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:1/db" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach PostgreSQL at DATABASE_URL \(connect ECONNREFUSED 127\.0\.0\.1:1\); is it running/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
