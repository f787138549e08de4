// A DATABASE_URL that asks for TLS (sslmode=require, as a managed PostgreSQL's documentation gives it) against a
// server without TLS, or against one whose certificate a private CA signed: PostgreSQL answered, and the start said
// "cannot reach PostgreSQL at DATABASE_URL (…); is it running and does the database exist?", exit code 1 (a server
// to wait for), naming nothing to change. Each is now a URL to correct, saying what.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import pg from "pg";
import { connectFailure } from "../src/cases/db.js";
import { UsageError } from "../src/lib/errors.js";

const dir = mkdtempSync(join(tmpdir(), "mt-postgres-tls-"));
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=db.test"], { stdio: "ignore" });

/** A server that answers PostgreSQL's SSLRequest as one without TLS ('N') or with it ('S', then a TLS handshake). */
function sslAnswering(tls: boolean): Server {
  return createServer((socket: Socket) => {
    socket.on("error", () => undefined);
    socket.once("data", () => {
      socket.write(tls ? "S" : "N");
      if (!tls) return;
      const secure = new TLSSocket(socket, { isServer: true, cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) });
      secure.on("error", () => undefined);
    });
  });
}
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function failure(tls: boolean): Promise<Error> {
  const server = sslAnswering(tls);
  servers.push(server);
  await once(server.listen(0, "127.0.0.1"), "listening");
  const where = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new pg.Client({ connectionString: `postgres://mt@${where}/mt?sslmode=require`, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  const err = await client.connect().then(
    () => new Error("connected"),
    (e: Error) => e,
  );
  await client.end().catch(() => undefined);
  return connectFailure(err, where);
}

describe("a DATABASE_URL that asks for TLS", () => {
  it("of a server without TLS: says to take sslmode out or turn TLS on (a usage error, exit 2)", async () => {
    const err = await failure(false);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(
      /^PostgreSQL at 127\.0\.0\.1:\d+ does not take TLS, which DATABASE_URL asks for \(The server does not support SSL connections\): take sslmode \(or ssl\) out of DATABASE_URL, or turn ssl on in the server's postgresql\.conf$/,
    );
  });

  it("of a server whose certificate this client cannot check: says to give its CA as sslrootcert", async () => {
    const err = await failure(true);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(
      /^PostgreSQL at 127\.0\.0\.1:\d+ answered with a certificate this client cannot check \(self[- ]signed certificate\): give the CA that signed it in DATABASE_URL as sslrootcert=\/path\/to\/ca\.pem \(the server's host name must be one the certificate names\)$/,
    );
  });
});
