// `moneytrail run` refuses, before it connects anywhere, a reviewers' page and /metrics set on one port: the
// second listen failed only after PostgreSQL and Kafka were reached, with a stack trace.
import { describe, it, expect } from "vitest";
import { runConfig } from "../src/config/run.js";

describe("run configuration: the two HTTP ports", () => {
  const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };
  const withFlags = new Set(["httpPort", "metricsPort"]);

  it("refuses the page and /metrics on one port of one address", () => {
    const line = /\n {2}MT_HTTP_PORT \(--http-port\): the same port as MT_METRICS_PORT on the same address: give the reviewers' page and \/metrics different ports$/;
    expect(() => runConfig({ ...env, MT_METRICS_PORT: "8080" }, {}, withFlags)).toThrow(line);
    expect(() => runConfig({ ...env, MT_HTTP_PORT: "9464" }, {}, withFlags)).toThrow(line);
    // every address takes the port on 127.0.0.1 too
    expect(() => runConfig({ ...env, MT_HTTP_PORT: "9000", MT_METRICS_PORT: "9000", MT_METRICS_HOST: "0.0.0.0" })).toThrow(/MT_HTTP_PORT/);
  });

  it("takes one port on two addresses, and both turned off", () => {
    expect(runConfig({ ...env, MT_HTTP_PORT: "9000", MT_METRICS_PORT: "9000", MT_HTTP_HOST: "10.0.0.1" })).toMatchObject({ httpPort: 9000, metricsPort: 9000 });
    expect(runConfig({ ...env, MT_HTTP_PORT: "0", MT_METRICS_PORT: "0" })).toMatchObject({ httpPort: 0, metricsPort: 0 });
  });
});
