// A bank's Kafka cluster takes clients over TLS, signed in with SASL: every moneytrail client connected in plaintext
// without credentials, so no command could reach such a cluster. A broker of its own with a TLS + SCRAM-SHA-256
// listener (a CA made here) takes `produce` and `backtest --topic` configured through KAFKA_SSL_* and KAFKA_SASL_*;
// a wrong password, or a CA not given, is said with what to correct.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKafka, type KafkaHandle } from "../../scripts/kafka-local.mjs";
import { DEFAULT_RULES, SAMPLE_DIR } from "../../src/lib/paths.js";
import { CLI } from "../helpers/cli.js";
import { casesAndAlerts, freshNames, freshSchema, replayAlerts, startRunner, until } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "mt-sasl-ssl-"));
const USER = { name: "mt-service", password: "not-a-real-secret-0" };
let broker: KafkaHandle;

/** A CA, and the broker's key and certificate (for 127.0.0.1) signed by it, as one PEM keystore. */
function certificates(): { ca: string; keystore: string } {
  const at = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "2", "-subj", "/CN=moneytrail test CA");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", at("broker.key"), "-out", at("broker.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(at("san.ext"), "subjectAltName=IP:127.0.0.1\n");
  ssl("x509", "-req", "-in", at("broker.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-out", at("broker.pem"), "-days", "2", "-extfile", at("san.ext"));
  // Kafka's PEM keystore wants the key as PKCS#8, then the certificate chain
  const key = execFileSync("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", at("broker.key")], { encoding: "utf8" });
  writeFileSync(at("keystore.pem"), `${key}${readFileSync(at("broker.pem"), "utf8")}${readFileSync(at("ca.pem"), "utf8")}`);
  return { ca: at("ca.pem"), keystore: at("keystore.pem") };
}

let ca: string;
beforeAll(async () => {
  const c = certificates();
  ca = c.ca;
  broker = await startKafka({ quiet: true, saslSsl: { keystore: c.keystore, users: [USER] } });
}, 180_000);
afterAll(async () => {
  await broker?.stop();
});

/** The command with only these Kafka settings (none inherited from the test run). */
function moneytrail(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KAFKA_") && k !== "DATABASE_URL"));
  const p = spawn(process.execPath, [...CLI, ...args], { env: { ...base, KAFKA_BROKERS: broker.saslSslBrokers!, ...env } });
  let stdout = "";
  let stderr = "";
  p.stdout.on("data", (d) => (stdout += d));
  p.stderr.on("data", (d) => (stderr += d));
  return new Promise((res) => p.on("close", (code) => res({ code, stdout, stderr })));
}
const signedIn = (password = USER.password) => ({
  KAFKA_SASL_MECHANISM: "scram-sha-256",
  KAFKA_SASL_USERNAME: USER.name,
  KAFKA_SASL_PASSWORD: password,
});

describe("a cluster that takes TLS and SASL only", { timeout: 180_000 }, () => {
  it("takes produce's events and gives them back to backtest --topic, configured by KAFKA_SSL_CA_FILE and KAFKA_SASL_*", async () => {
    const events = join(SAMPLE_DIR, "events.ndjson");
    const lines = readFileSync(events, "utf8").split("\n").filter(Boolean).length;
    const env = { ...signedIn(), KAFKA_SSL_CA_FILE: ca };
    const sent = await moneytrail(["produce", "--events", events, "--topic", "secure.events"], env);
    expect(sent.code, sent.stderr).toBe(0);
    const back = await moneytrail(["backtest", "--topic", "secure.events", "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", "--json", join(dir, "bt.json")], env);
    expect(back.code, back.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, "bt.json"), "utf8")) as { events: { lines: number } };
    expect(result.events.lines).toBe(lines);
  });

  it("says a refused sign-in at once, naming the settings to check and not the password", async () => {
    const r = await moneytrail(["produce", "--events", join(SAMPLE_DIR, "events.ndjson"), "--topic", "secure.refused"], { ...signedIn("wrong-password-1"), KAFKA_SSL_CA_FILE: ca });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused the sign-in .*check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM/);
    expect(r.stderr).not.toContain("wrong-password-1");
  });

  it("says a certificate the client cannot check, and that KAFKA_SSL_CA_FILE is the CA to give", async () => {
    const r = await moneytrail(["produce", "--events", join(SAMPLE_DIR, "events.ndjson"), "--topic", "secure.no-ca"], signedIn());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate.*give KAFKA_SSL_CA_FILE/);
  });

  it("runs the consumer on it: the sample's alerts, as replay gives them, in the case table", async () => {
    const n = freshNames("sasl-run");
    const url = await freshSchema(n);
    const expected = await replayAlerts();
    const saved = { ...process.env };
    Object.assign(process.env, signedIn(), { KAFKA_SSL_CA_FILE: ca });
    try {
      const runner = await startRunner(n, url, { brokers: broker.saslSslBrokers, eventsTopic: "secure.events", fromBeginning: "true" });
      try {
        await until("the sample's alerts", async () => (await casesAndAlerts(url)).alerts.length >= expected.length, 120_000);
      } finally {
        await runner.stop();
      }
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
    // the topic has produce's 6 partitions: a link between merchants of two partitions may raise its alert at
    // another event than replay's, so the alerts are compared by merchant (run.test compares them whole, on one)
    const merchants = (alerts: { merchantId: string }[]) => alerts.map((a) => a.merchantId).sort();
    expect(merchants((await casesAndAlerts(url)).alerts)).toEqual(merchants(expected));
  });
});
