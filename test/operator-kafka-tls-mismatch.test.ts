// TLS on against a plaintext listener, or off against a TLS one (KAFKA_BROKERS given the other listener's port, or
// KAFKA_SSL forgotten): the start said "cannot reach Kafka … (Client network socket disconnected before secure TLS
// connection was established | Closed connection); is the broker running…?", though a broker answered at that
// address. Why the last try failed now says which setting to look at.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { brokersAnswer } from "../src/source/kafka.js";

const dir = mkdtempSync(join(tmpdir(), "mt-kafka-tls-mismatch-"));
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1"], { stdio: "ignore" });

/** a listener that speaks no TLS (as a broker's PLAINTEXT listener to a TLS hello), and a TLS one */
const plaintext = createServer((s) => s.once("data", () => s.destroy()));
const secure = createTlsServer({ cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) }, (s) => s.once("data", () => s.destroy()));
secure.on("tlsClientError", () => undefined);
const address = async (server: Server) => {
  if (!server.listening) await once(server.listen(0, "127.0.0.1"), "listening");
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
};
afterAll(() => {
  plaintext.close();
  secure.close();
});

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith("KAFKA_SSL")) delete process.env[k];
  Object.assign(process.env, saved);
});

describe("the start's try of the brokers, with TLS set for another listener", () => {
  it("says a plaintext listener met with TLS on", async () => {
    process.env.KAFKA_SSL = "true";
    const why = await brokersAnswer([await address(plaintext)], "mt-test", 0);
    expect(why).toMatch(/^Connection error: Client network socket disconnected before secure TLS connection was established: TLS is on \(KAFKA_SSL, a CA or certificate file, or SASL\) and the broker did not answer in TLS: give the port of its TLS listener \(SSL, SASL_SSL\), or for a PLAINTEXT listener leave KAFKA_SSL unset or false, with no CA or certificate file$/);
  });

  it("says a TLS listener met without TLS", async () => {
    const why = await brokersAnswer([await address(secure)], "mt-test", 0);
    expect(why).toMatch(/^Closed connection: the broker closed the connection of a client without TLS or SASL, as a TLS or SASL listener does: set KAFKA_SSL=true for its TLS \(KAFKA_SSL_CA_FILE for a private CA\), KAFKA_SASL_\* for its sign-in$/);
  });
});
