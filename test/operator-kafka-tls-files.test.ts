// TLS settings half right, as a bank's Kafka team hands them over (a Java truststore or a DER certificate, a
// PKCS#12 keystore, an encrypted key, the key of another certificate) or as Kafka's own clients write them
// (sasl.mechanism=SCRAM-SHA-512). A CA file that is not PEM was taken without a word (Node ignores it) and a
// certificate or key that is not, or a key that is not the certificate's, failed each connection: the start waited
// MT_KAFKA_START_WAIT_MS, then said "cannot reach Kafka … is the broker running?" (exit code 1) about a broker that
// was there. Each is now refused before anything connects, naming the variable and how to convert the file.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kafkaSecurity } from "../src/config/kafka.js";

const dir = mkdtempSync(join(tmpdir(), "mt-kafka-tls-files-"));
const at = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", at("key.pem"), "-out", at("cert.pem"), "-days", "2", "-subj", "/CN=client.test");
openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", at("other-key.pem"), "-out", at("other-cert.pem"), "-days", "2", "-subj", "/CN=other.test");
openssl("x509", "-in", at("cert.pem"), "-outform", "der", "-out", at("cert.der"));
openssl("pkcs12", "-export", "-in", at("cert.pem"), "-inkey", at("key.pem"), "-out", at("client.p12"), "-passout", "pass:placeholder-pass");
openssl("pkey", "-in", at("key.pem"), "-aes256", "-out", at("key-encrypted.pem"), "-passout", "pass:placeholder-pass");

function refusal(env: Record<string, string>): string {
  try {
    kafkaSecurity(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("not refused");
}

describe("Kafka's TLS files and SASL mechanism, as handed over", () => {
  it("refuses a CA or certificate file that holds no PEM certificate, saying how to convert it", () => {
    expect(refusal({ KAFKA_SSL_CA_FILE: at("cert.der") })).toBe(
      `KAFKA_SSL_CA_FILE: ${at("cert.der")} holds no PEM certificate (-----BEGIN CERTIFICATE-----): convert it and give the PEM file: a DER certificate with openssl x509 -inform der -in ${at("cert.der")} -out ca.pem; a Java keystore (.jks, .p12) with keytool -exportcert -rfc -keystore ${at("cert.der")} -alias ALIAS -file ca.pem`,
    );
    expect(refusal({ KAFKA_SSL_CA_FILE: at("client.p12") })).toMatch(/^KAFKA_SSL_CA_FILE: .*client\.p12 holds no PEM certificate/);
    expect(refusal({ KAFKA_SSL_CERT_FILE: at("client.p12"), KAFKA_SSL_KEY_FILE: at("key.pem") })).toMatch(/^KAFKA_SSL_CERT_FILE: .*client\.p12 holds no PEM certificate .*-file cert\.pem$/);
  });

  it("refuses a key file that holds no PEM key, or an encrypted one, or the key of another certificate", () => {
    expect(refusal({ KAFKA_SSL_CERT_FILE: at("cert.pem"), KAFKA_SSL_KEY_FILE: at("client.p12") })).toBe(
      `KAFKA_SSL_KEY_FILE: ${at("client.p12")} holds no PEM private key (-----BEGIN PRIVATE KEY-----): convert it and give the PEM file: from a PKCS#12 keystore with openssl pkcs12 -in ${at("client.p12")} -nocerts -nodes -out key.pem; a DER key with openssl pkey -inform der -in ${at("client.p12")} -out key.pem`,
    );
    // the certificate given for both
    expect(refusal({ KAFKA_SSL_CERT_FILE: at("cert.pem"), KAFKA_SSL_KEY_FILE: at("cert.pem") })).toMatch(/^KAFKA_SSL_KEY_FILE: .*cert\.pem holds no PEM private key/);
    const encrypted = refusal({ KAFKA_SSL_CERT_FILE: at("cert.pem"), KAFKA_SSL_KEY_FILE: at("key-encrypted.pem") });
    expect(encrypted).toMatch(/^KAFKA_SSL_KEY_FILE: .*key-encrypted\.pem is encrypted, and moneytrail takes no passphrase: decrypt it .*openssl pkey -in /);
    expect(encrypted).not.toContain("placeholder-pass");
    expect(refusal({ KAFKA_SSL_CERT_FILE: at("cert.pem"), KAFKA_SSL_KEY_FILE: at("other-key.pem") })).toMatch(
      /^KAFKA_SSL_KEY_FILE: cannot be used with KAFKA_SSL_CERT_FILE's certificate \(.*mismatch\): give the private key that certificate was issued for$/,
    );
  });

  it("takes the PEM files as they should be, and a mechanism written in capitals", () => {
    expect(kafkaSecurity({ KAFKA_SSL_CA_FILE: at("other-cert.pem"), KAFKA_SSL_CERT_FILE: at("cert.pem"), KAFKA_SSL_KEY_FILE: at("key.pem") })).toEqual({
      ssl: { ca: readFileSync(at("other-cert.pem"), "utf8"), cert: readFileSync(at("cert.pem"), "utf8"), key: readFileSync(at("key.pem"), "utf8") },
    });
    const user = { KAFKA_SASL_USERNAME: "mt", KAFKA_SASL_PASSWORD: "not-a-real-secret-1" };
    for (const [written, mechanism] of [["PLAIN", "plain"], ["SCRAM-SHA-256", "scram-sha-256"], ["SCRAM-SHA-512", "scram-sha-512"]] as const)
      expect(kafkaSecurity({ KAFKA_SASL_MECHANISM: written, ...user })).toEqual({ ssl: true, sasl: { mechanism, username: "mt", password: "not-a-real-secret-1" } });
    expect(refusal({ KAFKA_SASL_MECHANISM: "GSSAPI", ...user })).toBe("KAFKA_SASL_MECHANISM: plain, scram-sha-256 or scram-sha-512");
  });
});
