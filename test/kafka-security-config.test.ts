// The Kafka clients' TLS and SASL settings (config/kafka.ts): what each combination gives kafkajs, and the refusals
// that name the variable and what it takes, never repeating a password.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kafkaSecurity } from "../src/config/kafka.js";
import { unknownVariables } from "../src/config/run.js";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-kafka-security-"));
const ca = join(dir, "ca.pem");
writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n");
const user = { KAFKA_SASL_USERNAME: "mt", KAFKA_SASL_PASSWORD: "not-a-real-secret-1" };

describe("Kafka's TLS and SASL settings", () => {
  it("gives plaintext without any, TLS with KAFKA_SSL or a CA, and TLS under SASL unless told otherwise", () => {
    expect(kafkaSecurity({})).toEqual({});
    expect(kafkaSecurity({ KAFKA_SSL: "true" })).toEqual({ ssl: true });
    expect(kafkaSecurity({ KAFKA_SSL_CA_FILE: ca })).toEqual({ ssl: { ca: expect.stringContaining("BEGIN CERTIFICATE"), cert: undefined, key: undefined } });
    expect(kafkaSecurity({ KAFKA_SASL_MECHANISM: "scram-sha-512", ...user })).toEqual({
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: "mt", password: "not-a-real-secret-1" },
    });
  });

  it("refuses what cannot work, naming the variable and not the password", () => {
    const refusal = (env: Record<string, string>) => {
      try {
        kafkaSecurity(env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refusal({ KAFKA_SASL_MECHANISM: "scram-sha-256", KAFKA_SASL_USERNAME: "mt" })).toBe("KAFKA_SASL_PASSWORD: is not set: SASL scram-sha-256 signs in with a password");
    expect(refusal(user)).toMatch(/^KAFKA_SASL_MECHANISM: is not set: give the mechanism/);
    expect(refusal({ KAFKA_SASL_MECHANISM: "gssapi", ...user })).toBe("KAFKA_SASL_MECHANISM: plain, scram-sha-256 or scram-sha-512");
    expect(refusal({ KAFKA_SASL_MECHANISM: "plain", KAFKA_SSL: "false", ...user })).toMatch(/^KAFKA_SSL: is false while KAFKA_SASL_MECHANISM is set/);
    expect(refusal({ KAFKA_SSL_CERT_FILE: ca })).toBe("KAFKA_SSL_KEY_FILE: is not set: a client certificate goes with its private key");
    expect(refusal({ KAFKA_SSL_CA_FILE: join(dir, "missing.pem") })).toMatch(/^KAFKA_SSL_CA_FILE: .*missing\.pem cannot be read \(ENOENT\): give the path of the PEM file of the CA/);
    expect(refusal({ KAFKA_SASL_MECHANISM: "plain", KAFKA_SSL: "false", ...user })).not.toContain("not-a-real-secret-1");
  });

  // The settings are asked for at start-up and for each Kafka client made: the PEM files are read once per distinct
  // setting. What shows it from outside: a file rewritten or removed after the first read
  // is not read again, while another path is read, and a file that could not be read is tried again.
  it("reads each PEM file once per setting, not at every client", () => {
    const d = mkdtempSync(join(tmpdir(), "mt-kafka-security-once-"));
    const pem = (name: string, label: string) => {
      const f = join(d, name);
      writeFileSync(f, `-----BEGIN CERTIFICATE-----\n${label}\n-----END CERTIFICATE-----\n`);
      return f;
    };
    const first = pem("ca.pem", "first");
    const caOf = (env: Record<string, string>) => (kafkaSecurity(env).ssl as { ca: string }).ca;
    expect(caOf({ KAFKA_SSL_CA_FILE: first })).toContain("first");
    pem("ca.pem", "rewritten");
    expect(caOf({ KAFKA_SSL_CA_FILE: first })).toContain("first");
    rmSync(first);
    expect(caOf({ KAFKA_SSL_CA_FILE: first })).toContain("first");
    // another setting is another read, and does not undo the first's
    expect(caOf({ KAFKA_SSL_CA_FILE: pem("other.pem", "other") })).toContain("other");
    expect(caOf({ KAFKA_SSL_CA_FILE: first })).toContain("first");
    const late = join(d, "late.pem");
    expect(() => kafkaSecurity({ KAFKA_SSL_CA_FILE: late })).toThrow(/late\.pem cannot be read \(ENOENT\)/);
    pem("late.pem", "late");
    expect(caOf({ KAFKA_SSL_CA_FILE: late })).toContain("late");
  });

  it("counts as run's settings: not named as unknown or misspelt", () => {
    expect(unknownVariables({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: ca, KAFKA_SASL_MECHANISM: "plain", ...user })).toEqual([]);
  });

  it("stops run before it connects to anything, with exit code 2", { timeout: 30_000 }, () => {
    // no server at either address: a run that tried to connect first would end with exit code 1, naming it
    const r = spawnSync(process.execPath, [...CLI, "run"], {
      env: { PATH: process.env.PATH, KAFKA_BROKERS: "127.0.0.1:1", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "mt" },
      encoding: "utf8",
      timeout: 25_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("error: KAFKA_SASL_PASSWORD: is not set: SASL plain signs in with a password");
  });
});
