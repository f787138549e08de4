// Secrets written inside text rather than under a field of their own name: a connection string's password (a
// DATABASE_URL, a broker's or a webhook's URL quoted by an error, whose host need not look like a domain: `db`, an
// IP), a token or session cookie in a query string or a header's text, an API token quoted in a message, and the
// field names a CSRF token or a private key goes by. Whatever logs them, the line must not carry them.
import { describe, it, expect } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../src/lib/log.js";

function logged(write: (log: ReturnType<typeof createLogger>) => void): { text: string; lines: Record<string, any>[] } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
  write(createLogger("info", sink));
  return { text: lines.join(""), lines: lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe("log redaction of secrets inside text", () => {
  it("masks the password of a URL whatever its host, in a message, a field and an error's own fields", () => {
    const { text, lines } = logged((log) => {
      log.info({ databaseUrl: "postgres://mt:tokpw-db@db:5432/mt" }, "settings");
      log.warn("could not reach postgresql://mt:tokpw-ip@192.0.2.5:5432/mt");
      log.warn({ brokers: ["kafka://svc:tokpw-sasl@broker-1:9093"] }, "brokers");
      // a password with characters an e-mail address cannot hold, before a host that looks like a domain
      log.warn({ url: "postgres://mt:tokpw!*(x)@db.example/mt" }, "settings");
      // Node's URL error keeps what it was given in `input`
      log.error({ err: Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL", input: "postgres://mt:tokpw-err@db:99999/mt" }) }, "start failed");
    });
    for (const secret of ["tokpw-db", "tokpw-ip", "tokpw-sasl", "tokpw!", "x)@", "tokpw-err"]) expect(text).not.toContain(secret);
    // what an operator needs to find the setting stays: scheme, user, host, port, database
    expect(lines[0]!.databaseUrl).toBe("postgres://mt:[redacted]@db:5432/mt");
    expect(lines[1]!.msg).toBe("could not reach postgresql://mt:[redacted]@192.0.2.5:5432/mt");
    expect(lines[2]!.brokers).toEqual(["kafka://svc:[redacted]@broker-1:9093"]);
    expect(lines[4]!.err).toMatchObject({ message: "Invalid URL", code: "ERR_INVALID_URL", input: "postgres://mt:[redacted]@db:99999/mt" });
  });

  it("masks a token, key, password or session given as name=value in a query string, a cookie header or a message", () => {
    const { text, lines } = logged((log) => {
      log.warn({ target: "https://hooks.example/mt?access_token=tokq-1&case=7" }, "webhook refused");
      log.warn("request /api/cases?token=tokq-2 refused");
      log.warn({ header: "mt_session=tokq-3; theme=dark" }, "cookie header");
      log.warn("set MT_WEBHOOK_SECRET=tokq-4 and start again");
      log.warn({ dsn: "host=db user=mt password=tokq-5 dbname=mt" }, "libpq form");
    });
    for (const secret of ["tokq-1", "tokq-2", "tokq-3", "tokq-4", "tokq-5"]) expect(text).not.toContain(secret);
    expect(lines[0]!.target).toBe("https://hooks.example/mt?access_token=[redacted]&case=7");
    expect(lines[2]!.header).toBe("mt_session=[redacted]; theme=dark");
    expect(lines[4]!.dsn).toBe("host=db user=mt password=[redacted] dbname=mt");
  });

  it("masks an API token of this service quoted in any text, and a bearer credential", () => {
    // the form auth.ts gives API tokens: mt_ and 24 random bytes in base64url (32 characters)
    const token = `mt_${"tokalpha".repeat(4)}`;
    const { text, lines } = logged((log) => {
      log.warn(`token ${token} revoked`);
      log.warn({ line: `Authorization: Bearer tokb-opaque.value` }, "proxy header");
    });
    for (const secret of [token, "tokb-opaque"]) expect(text).not.toContain(secret);
    expect(lines[0]!.msg).toBe("token [redacted] revoked");
    expect(lines[1]!.line).toBe("Authorization: Bearer [redacted]");
  });

  it("censors a CSRF token, a private key and a passphrase by their field names", () => {
    const { text, lines } = logged((log) => log.info({ csrf: "tokc-1", _csrf: "tokc-2", privateKey: "tokc-3", private_key: "tokc-4", passphrase: "tokc-5", keyId: "kept" }, "form"));
    for (const secret of ["tokc-1", "tokc-2", "tokc-3", "tokc-4", "tokc-5"]) expect(text).not.toContain(secret);
    expect(lines[0]!.keyId).toBe("kept");
  });

  it("keeps text that only looks alike: a URL without a password, a name=value of no secret, an id", () => {
    const { lines } = logged((log) => log.info({ url: "https://shop.example:8443/a?b=c&page=2", brokers: ["broker-1:9092"], set: "tokenised-set-1", note: "user=mt keys=3" }, "kept"));
    expect(lines[0]).toMatchObject({ url: "https://shop.example:8443/a?b=c&page=2", brokers: ["broker-1:9092"], set: "tokenised-set-1", note: "user=mt keys=3" });
  });
});
