// A broker address written with its credentials and no scheme, user:password@host:port (a KAFKA_BROKERS entry as
// some clients and operators write SASL credentials), reached the log as written: the URL rule needs scheme://, and
// the e-mail rule caught only a password before a dotted host, taking the host with it. The password is masked;
// user, host and port stay, to find the setting by.
import { describe, it, expect } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../src/lib/log.js";

function logged(write: (log: ReturnType<typeof createLogger>) => void): { text: string; lines: Record<string, any>[] } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
  write(createLogger("info", sink));
  return { text: lines.join(""), lines: lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe("log redaction of a broker address's credentials", () => {
  it("masks the password of user:password@host:port whatever the host, in a field, a message, a list and an error", () => {
    const { text, lines } = logged((log) => {
      log.info({ brokers: ["mt:tokpw-1@kafka:9092", "mt:tokpw-2@192.0.2.7:9093", "mt:tokpw-3@broker-1.example:9092"] }, "settings");
      log.warn("could not reach svc:tokpw-4@[2001:db8::5]:9092");
      log.warn("started with KAFKA_BROKERS=a:tokpw-5@b1.example:9092,a:tokpw-6@b2.example:9092");
      // a password with characters neither a host nor an e-mail address holds
      log.warn({ broker: "mt:tok!pw#7$x@kafka-1:9092" }, "broker");
      log.error({ err: new Error("broker 'mt:tokpw-8@kafka:9092' refused the connection") }, "start failed");
    });
    for (const secret of ["tokpw-1", "tokpw-2", "tokpw-3", "tokpw-4", "tokpw-5", "tokpw-6", "tok!pw", "tokpw-8"]) expect(text).not.toContain(secret);
    expect(lines[0]!.brokers).toEqual(["mt:[redacted]@kafka:9092", "mt:[redacted]@192.0.2.7:9093", "mt:[redacted]@broker-1.example:9092"]);
    expect(lines[1]!.msg).toBe("could not reach svc:[redacted]@[2001:db8::5]:9092");
    expect(lines[2]!.msg).toBe("started with KAFKA_BROKERS=a:[redacted]@b1.example:9092,a:[redacted]@b2.example:9092");
    expect(lines[3]!.broker).toBe("mt:[redacted]@kafka-1:9092");
    expect(lines[4]!.err.message).toBe("broker 'mt:[redacted]@kafka:9092' refused the connection");
  });

  it("keeps what holds no password: a broker without credentials or with a user only, a URL's user, a time", () => {
    const { lines } = logged((log) =>
      log.info({ brokers: ["broker-1:9092", "mt@kafka:9092"], url: "kafka://svc:tokpw-9@broker-1:9093", at: "12:30:00 broker-2:9092" }, "kept"),
    );
    expect(lines[0]).toMatchObject({ brokers: ["broker-1:9092", "mt@kafka:9092"], url: "kafka://svc:[redacted]@broker-1:9093", at: "12:30:00 broker-2:9092" });
  });
});
