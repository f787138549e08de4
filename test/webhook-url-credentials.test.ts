// MT_WEBHOOK_URL with a user name or password (https://user:password@host/...): fetch refuses to send to such a URL,
// and its error repeats the whole URL, so every attempt logged and stored the password (and the receiver's token in
// the query) until the delivery was given up hours later. The start refuses it instead, without repeating it.
import { describe, expect, it } from "vitest";
import { runConfig } from "../src/config/run.js";
import { UsageError } from "../src/lib/errors.js";

const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db", MT_WEBHOOK_SECRET: "0123456789abcdef" };

describe("MT_WEBHOOK_URL", () => {
  it.each(["https://hook:pa55word@hooks.example/mt?token=tok-123", "https://hook@hooks.example/mt?token=tok-123", "http://:pa55word@hooks.example/mt?token=tok-123"])(
    "%s is refused at start, saying why and what to do, without repeating it",
    (url) => {
      let err: unknown;
      try {
        runConfig({ ...env, MT_WEBHOOK_URL: url });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      const message = (err as Error).message;
      expect(message).toContain("MT_WEBHOOK_URL: MT_WEBHOOK_URL must not hold a user name or password");
      expect(message).toContain("path or query");
      for (const secret of ["pa55word", "tok-123", "hook@"]) expect(message).not.toContain(secret);
    },
  );

  it("with a token in its path or query is taken", () => {
    const url = "https://hooks.example/mt/tok-123?key=k@1";
    expect(runConfig({ ...env, MT_WEBHOOK_URL: url }).webhookUrl).toBe(url);
  });
});
