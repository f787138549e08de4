// A first start with KAFKA_BROKERS written as a URL or as a Kafka listener (http://kafka:9092, SASL_SSL://kafka:9093)
// was refused as "a broker is host:port", though the value held one: the refusal now gives the host:port to set.
import { describe, it, expect } from "vitest";
import { runConfig } from "../src/config/run.js";

describe("run configuration: a broker written as a URL", () => {
  const env = { DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };

  it("is refused with the host:port in it to give instead", () => {
    expect(() => runConfig({ ...env, KAFKA_BROKERS: "http://127.0.0.1:9092" })).toThrow(
      /^configuration is not valid:\n {2}KAFKA_BROKERS: a broker is host:port: give 127\.0\.0\.1:9092, without http:\/\/ \(TLS and SASL are set by KAFKA_SSL and KAFKA_SASL_MECHANISM\)$/,
    );
    expect(() => runConfig({ ...env, KAFKA_BROKERS: "kafka-1.test:9092,SASL_SSL://kafka-2.test:9093/" })).toThrow(/: give kafka-2\.test:9093, without SASL_SSL:\/\/ \(/);
    // no host:port in it: said as before
    expect(() => runConfig({ ...env, KAFKA_BROKERS: "http://kafka.test" })).toThrow(/a broker is host:port$/);
  });
});
